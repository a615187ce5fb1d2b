from django import template
from django.utils.translation import gettext as _

from followup.charts import trend_svg

register = template.Library()


@register.simple_tag
def trend_chart(line):
    """Draw the trend of an ``OutcomeLine`` (see ``followup.charts.trend_svg``); "" with fewer than two outcomes."""
    return trend_svg(
        line.trend,
        title=_("Trend: %(indicator)s") % {"indicator": line.indicator.name},
        unit=line.indicator.unit_suffix,
        chart_id=f"trend-{line.indicator.code}",
    )

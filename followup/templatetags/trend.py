from django import template
from django.utils.translation import gettext as _

from followup.charts import trend_svg

register = template.Library()


@register.simple_tag
def trend_chart(line, chart_id=None):
    """
    Draw the trend of an ``OutcomeLine`` (see ``followup.charts.trend_svg``); "" with fewer than
    two outcomes. ``chart_id`` (unique in the page) where the page shows an indicator more than once.
    """
    return trend_svg(
        line.trend,
        title=_("Trend: %(indicator)s") % {"indicator": line.indicator.name},
        unit=line.indicator.unit_suffix,
        chart_id=chart_id or f"trend-{line.indicator.code}",
    )

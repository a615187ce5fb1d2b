"""The project's own WSGI app (``asn.wsgi``, unchanged), with the CPU header of ``bench.hello``, for ``bench.load``."""

from asn.wsgi import application as django_application
from bench.hello import measured

application = measured(django_application)

"""gunicorn settings. The access log leaves out the client's address and user agent:
answers are anonymous, and so must the logs be."""

import os

bind = os.environ.get("BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
accesslog = os.environ.get("ACCESS_LOG", "-")
# Time, request line, status, bytes, duration. No %(h)s, %(a)s, %(f)s or %({...}i)s.
access_log_format = '%(t)s "%(r)s" %(s)s %(b)s %(M)sms'
errorlog = "-"
# The app refuses long addresses (414), large headers (431) and large bodies (413)
# itself, in the API's error shape; gunicorn's own limits sit above its limits.
limit_request_line = 0  # no limit of gunicorn's own (its parser still stops at 1 MiB)
limit_request_field_size = 64 * 1024

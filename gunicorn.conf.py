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

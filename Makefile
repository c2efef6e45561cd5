# Two commands matter: `make run` and `make test`. Everything else is a helper.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INDEX_DIR ?= var/index
SAMPLES ?= data/sample
PORT ?= 8000
export ARTICLE_QA_CACHE_DIR ?= $(CURDIR)/var/cache

.PHONY: run test test-fast lint bench index eval clean

# The stamp depends on pyproject.toml so a changed dependency list reinstalls.
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	# torch is pinned: an unpinned torch pulls a multi-GB CUDA build.
	$(BIN)/python -m pip install -q torch==2.13.0
	# ray: the distributed build and its tests (tests/index/test_ray_build.py).
	$(BIN)/python -m pip install -q -e '.[st,dev,ray]'
	touch $@

install: $(VENV)/.installed

.PHONY: install

$(INDEX_DIR)/CURRENT: $(VENV)/.installed
	$(BIN)/article-qa build $(SAMPLES) --index-dir $(INDEX_DIR)

index: $(INDEX_DIR)/CURRENT

run: $(INDEX_DIR)/CURRENT
	$(BIN)/article-qa serve --index-dir $(INDEX_DIR) --host 0.0.0.0 --port $(PORT) --sources '["$(SAMPLES)"]'

test: $(VENV)/.installed
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

# The edit loop: no model, no servers, no browser (fake embedder, in-process app).
test-fast: $(VENV)/.installed
	$(BIN)/python -m pytest -q -m "not slow" --hypothesis-profile=fast $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

eval: $(VENV)/.installed
	$(BIN)/article-qa build ../shared/eval/public/articles.jsonl --index-dir var/eval-index
	$(BIN)/article-qa eval ../shared/eval/public --index-dir var/eval-index

bench: $(VENV)/.installed
	$(BIN)/python -m pip install -q -e '.[st,dev,bench]'
	$(BIN)/python -m bench

clean:
	rm -rf var

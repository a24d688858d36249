# Two commands do all the set-up: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app surveyservice
PORT ?= 8000
export PORT

AXE_VERSION := 4.10.3
AXE := $(VENV)/axe-$(AXE_VERSION)/axe.min.js
export AXE_JS := $(abspath $(AXE))

.PHONY: run test test-setup format mutation bench bench-faults bench-sync bench-walk bench-upload bench-mask bench-export clean browser trial-cert \
	translations compile-translations

# Interface texts: gettext catalogues, one per language (English is the source).
BABEL := $(BIN)/pybabel
TRANSLATIONS := surveyservice/translations
LANGUAGES := sv ar
POT := $(VENV)/messages.pot
# The functions whose texts are extracted besides gettext's usual _, gettext, ngettext
# and N_ (tests/test_translations.py reads this line): translate(), a module's own
# shorthand _t(), the scripts' plural_forms(), and the problems and labels that
# carry an English text to be translated where it is shown.
EXTRACT_KEYWORDS := -k translate -k _t -k plural_forms:1,2 -k Problem -k LocalTimeError -k AreaError:2 -k NavItem:2 -k Outcome:2
MO_FILES := $(foreach l,$(LANGUAGES),$(TRANSLATIONS)/$(l)/LC_MESSAGES/messages.mo)

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed-run

## Set up, upgrade the database, load forms/ and serve on http://127.0.0.1:$(PORT)
run: $(VENV)/.installed-run $(MO_FILES)
	$(FLASK) db upgrade
	$(FLASK) forms sync
	$(FLASK) users list
	exec $(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

TRIAL := instance/trial
## A certificate for trying the forms on phones over HTTPS: HOST=<this computer's address>.
## Makes a certificate authority for the phones to trust (kept for later runs) and a
## certificate for HOST signed by it, both valid for 30 days.
trial-cert:
	@[ -n "$(HOST)" ] || { echo "Name this computer's address on the network: make trial-cert HOST=192.168.1.20"; exit 1; }
	mkdir -p $(TRIAL)
	[ -f $(TRIAL)/ca.pem ] || openssl req -x509 -newkey rsa:2048 -nodes -days 30 \
		-subj "/CN=Surveyservice trial CA" -keyout $(TRIAL)/ca-key.pem -out $(TRIAL)/ca.pem \
		-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign"
	case "$(HOST)" in *[!0-9.]*) san="DNS:$(HOST)";; *) san="IP:$(HOST)";; esac; \
	openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=$(HOST)" \
		-CA $(TRIAL)/ca.pem -CAkey $(TRIAL)/ca-key.pem -keyout $(TRIAL)/key.pem -out $(TRIAL)/cert.pem \
		-addext "subjectAltName=$$san" -addext "extendedKeyUsage=serverAuth" \
		-addext "basicConstraints=critical,CA:FALSE"
	@echo "Install $(TRIAL)/ca.pem on the phones; serve with --certfile $(TRIAL)/cert.pem --keyfile $(TRIAL)/key.pem"

# axe-core, the accessibility checker the browser tests inject into pages.
$(AXE): | $(BIN)/python
	@command -v npm >/dev/null || { echo "npm is needed to fetch axe-core (Debian: apt-get install npm)"; exit 1; }
	mkdir -p $(dir $@)
	cd $(dir $@) && npm pack --silent axe-core@$(AXE_VERSION) >/dev/null && tar -xzf axe-core-$(AXE_VERSION).tgz package/axe.min.js && mv package/axe.min.js . && rm -rf package axe-core-$(AXE_VERSION).tgz

## Tools the tests drive: Debian's Chromium (Playwright's own download cannot work here),
## zbarimg, a QR decoder, exiftool, which reads every kind of image metadata, and
## LibreOffice's Calc without its GUI, which opens the CSV exports as a spreadsheet would.
## Installed when make runs as root on Debian; named otherwise.
browser:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	command -v zbarimg >/dev/null || missing="$$missing zbar-tools"; \
	command -v exiftool >/dev/null || missing="$$missing libimage-exiftool-perl"; \
	command -v soffice >/dev/null || missing="$$missing libreoffice-calc-nogui"; \
	if [ -z "$$missing" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	else echo "The browser and QR tests need:$$missing (sudo apt-get install$$missing)"; fi

## Set up and run every test (TEST_DATABASE_URL=postgresql://... for PostgreSQL)
test: test-setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest $(PYTEST_ARGS)

## Everything the tests need (packages, Chromium and the other tools, axe-core, catalogues)
test-setup: $(VENV)/.installed-test $(AXE) browser $(MO_FILES)

## Mutation testing of the core rules (configured in pyproject.toml): each module's score;
## fails if one is under its threshold. Every mutant is tried afresh; mutants/run.log has
## mutmut's own output, and `$(BIN)/mutmut results` / `show NAME` the survivors.
mutation: $(VENV)/.installed-test
	rm -rf mutants
	mkdir mutants
	$(BIN)/mutmut run --max-children 2 > mutants/run.log 2>&1 || { tr '\r' '\n' < mutants/run.log | tail -40; exit 1; }
	tr '\r' '\n' < mutants/run.log | grep -v '^ *$$' | tail -2
	$(BIN)/python mutation/scores.py

format: $(VENV)/.installed-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Benchmark submissions against an endpoint that does no work, under gunicorn, on SQLite and PostgreSQL
bench: $(VENV)/.installed-run
	@command -v wrk >/dev/null || { echo "The benchmark needs wrk: apt-get install wrk"; exit 1; }
	$(BIN)/python bench/submit.py $(BENCH_ARGS)

## Kill workers and the master under load: every acknowledged answer stored once; restart times
bench-faults: $(VENV)/.installed-run
	$(BIN)/python bench/faults.py $(BENCH_ARGS)

## Benchmark a staff tablet sending 500 queued answers, in Chromium, to gunicorn
bench-sync: $(VENV)/.installed-test browser
	$(BIN)/python bench/sync.py $(BENCH_ARGS)

## Benchmark a tablet sending a walk of 20 stops with 40 photos, on slow 3G and unthrottled
bench-walk: $(VENV)/.installed-test browser
	$(BIN)/python bench/walk.py $(BENCH_ARGS)

## Benchmark a coordinator uploading saved answers (4,500, and a file at the 8 MiB limit)
bench-upload: $(VENV)/.installed-run
	$(BIN)/python bench/upload.py $(BENCH_ARGS)

## Benchmark masking personal data in 10,000 free-text answers of 500 characters
bench-mask: $(VENV)/.installed-run
	$(BIN)/python bench/mask.py $(BENCH_ARGS)

## Benchmark exports and results with 100,000 responses, under gunicorn, on SQLite and PostgreSQL
bench-export: $(VENV)/.installed-run
	$(BIN)/python bench/export.py $(BENCH_ARGS)

## Extract the texts from the code and templates and bring every catalogue up to date
translations: $(VENV)/.installed-run
	$(BABEL) -q extract -F babel.cfg $(EXTRACT_KEYWORDS) --add-location=file --sort-output \
		--project=surveyservice --msgid-bugs-address= -o $(POT) .
	for l in $(LANGUAGES); do \
		$(BABEL) -q update -i $(POT) -d $(TRANSLATIONS) -l $$l --init-missing --ignore-pot-creation-date --no-fuzzy-matching \
		|| exit 1; done
	$(MAKE) --no-print-directory compile-translations

## Compile the catalogues (messages.po) into what the service reads (messages.mo)
compile-translations: $(MO_FILES)

$(TRANSLATIONS)/%/LC_MESSAGES/messages.mo: $(TRANSLATIONS)/%/LC_MESSAGES/messages.po | $(VENV)/.installed-run
	$(BABEL) -q compile -l $* -i $< -o $@

clean:
	rm -rf $(VENV) instance .pytest_cache .hypothesis mutants

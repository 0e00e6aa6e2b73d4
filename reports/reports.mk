# reports/reports.mk - report translations and the report test tool; included by the top
# Makefile (which defines BUILD, CC, CFLAGS, LDLIBS ...).
#   make        also compiles reports/po/LANG.po into $(BUILD)/locale/LANG/LC_MESSAGES/kaketsuke.mo
#               (kk_tr finds it next to the binary: src/report/i18n.h)
#   make po     re-extracts the strings of src/report into reports/po/kaketsuke.pot and
#               merges them into every reports/po/LANG.po (then translate the new entries)
# Installed layout: PREFIX/bin/kaketsuke + PREFIX/share/locale/ja/LC_MESSAGES/kaketsuke.mo.

# keeps "all" the default goal wherever this file is included
all:

REPORT_LANGS := $(basename $(notdir $(wildcard reports/po/*.po)))
REPORT_MO    := $(REPORT_LANGS:%=$(BUILD)/locale/%/LC_MESSAGES/kaketsuke.mo)

$(BUILD)/locale/%/LC_MESSAGES/kaketsuke.mo: reports/po/%.po
	@mkdir -p $(dir $@)
	msgfmt --check -o $@ $<

all: $(REPORT_MO)

# kk-render: renders a report.json fixture (tests/report/) or a receipt record
$(BUILD)/tests/kk-render: tests/report/kk-render.c $(BUILD)/libkaketsuke.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Isrc -o $@ $< $(BUILD)/libkaketsuke.a $(LDFLAGS) $(LDLIBS)

TEST_TOOLS += $(BUILD)/tests/kk-render $(REPORT_MO)

# report strings (kk_tr, N_, T) and the messages of every command (kk_err_set, kk_die_msg,
# kk_emit: their format strings are the msgids, translated before formatting)
REPORT_XGETTEXT := xgettext --from-code=UTF-8 --language=C -k -kkk_tr:2 -kN_ -kT \
                   -kkk_err_set:2 -kkk_die_msg:1 -kkk_emit:5 -kkk_err_tr --flag=kk_err_set:2:c-format \
                   --flag=kk_die_msg:1:c-format --flag=kk_emit:5:c-format \
                   --sort-output --package-name=kaketsuke

.PHONY: po
po:
	$(REPORT_XGETTEXT) -o reports/po/kaketsuke.pot $(sort $(wildcard src/report/*.c)) \
	    $(sort $(wildcard src/cli/*.c src/field/*.c src/source/*.c src/scan/*.c src/evidence/*.c src/artifact/*.c src/memory/*.c src/util/*.c))
	for po in reports/po/*.po; do msgmerge -q --update --backup=none $$po reports/po/kaketsuke.pot; done

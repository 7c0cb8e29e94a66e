#!/bin/sh
# real_programs_make.sh -- make runs under deadbyte as it runs alone;
# see tests/real_programs.inc.
. "${top_srcdir:-.}/tests/real_programs.inc"

# ---- make: variables, $(shell ...), pattern rules -----------------------
make_workload() {
    i=0
    while [ "$i" -lt 40 ]; do
        printf 'part %d\n' "$i" >"part$i.in"
        i=$((i + 1))
    done
    cat >Makefile <<'EOF'
INPUTS := $(sort $(wildcard part*.in))
OUTPUTS := $(INPUTS:.in=.out)
COUNT := $(shell ls part*.in | wc -l)
GREETING = made $(words $(OUTPUTS)) outputs from $(COUNT) inputs

all: total.txt
	@echo '$(GREETING)'
	@cat total.txt | wc -l
	@tail -n 1 total.txt

%.out: %.in
	@sed 's/part/PART/' $< >$@

total.txt: $(OUTPUTS)
	@cat $^ >$@
	@echo "$(firstword $^) .. $(lastword $^)" >>$@

.PHONY: all
EOF
    run make -s --no-print-directory
    run make -s --no-print-directory
}
check make make_workload make
finish

#!/bin/sh
# real_programs_perl.sh -- perl runs under deadbyte as it runs alone;
# see tests/real_programs.inc.
. "${top_srcdir:-.}/tests/real_programs.inc"

# ---- perl: hashes, sort, sprintf, regular expressions -------------------
perl_workload() {
    run perl -MDigest::MD5=md5_hex -e '
        my (%h, @lines);
        for my $i (1 .. 100000) {
            my $k = sprintf("key-%05d-%s", $i * 7919 % 100003, $i % 7);
            $h{$k} .= $i % 10;
            push @lines, "$k=$i" if $i % 3 == 0;
        }
        my @keys = sort { $h{$a} cmp $h{$b} or $a cmp $b } keys %h;
        my ($sevens, $joined) = (0, "");
        for (@lines) {
            $sevens++ if /^key-(\d+)-6=(\d*7)$/ && $1 % 2;
            (my $t = $_) =~ s/(\d)(\d)/$2$1/g;
            $joined .= substr($t, 0, 6);
        }
        printf "%d keys, %d lines, %d sevens\n", scalar @keys,
               scalar @lines, $sevens;
        print md5_hex(join(",", @keys) . $joined), "\n";'
}
check perl perl_workload perl
finish

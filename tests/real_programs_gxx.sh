#!/bin/sh
# real_programs_gxx.sh -- g++ runs under deadbyte as it runs alone;
# see tests/real_programs.inc.
. "${top_srcdir:-.}/tests/real_programs.inc"

# ---- g++: compile, link and run a program with <map> and <string> -------
gxx_workload() {
    cat >words.cc <<'EOF'
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

int main()
{
    std::map<std::string, int> counts;
    std::vector<std::string> words;
    for (int i = 0; i < 5000; i++) {
        std::ostringstream w;
        w << "w" << (i * 7919 % 613);
        words.push_back(w.str());
        counts[words.back()]++;
    }
    std::string longest;
    for (const auto &kv : counts)
        if (kv.first.size() > longest.size())
            longest = kv.first;
    std::cout << counts.size() << " " << words.size() << " " << longest
              << " " << counts.begin()->first << "\n";
    return 0;
}
EOF
    run g++ -std=c++17 -O2 -Wall -o words words.cc
    run ./words
}
check g++ gxx_workload g++
finish

// containers.cc -- C++ standard containers for bench/run.sh: std::map,
// std::string, std::vector, std::unordered_map, all allocating through
// operator new/delete.
//
// Usage: containers N
//
// Builds N pseudo-random words, indexes them in a std::map<std::string,
// std::vector<int>> and a std::unordered_map<std::string, int>, sorts
// copies, erases half of the map, rebuilds strings by concatenation, and
// prints a few numbers that depend only on N (so that a run under a
// debugger can be compared with a plain one).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

std::uint64_t state = 0x243F6A8885A308D3ULL;

std::uint64_t next_random()
{
    std::uint64_t x = state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

std::string random_word()
{
    // 3..40 letters: some fit in the small-string buffer, most do not.
    std::size_t len = 3 + next_random() % 38;
    std::string w;
    for (std::size_t i = 0; i < len; i++)
        w += static_cast<char>('a' + next_random() % 26);
    return w;
}

struct Node {
    std::string name;
    std::vector<int> values;
    explicit Node(std::string n) : name(std::move(n)) {}
};

}  // namespace

int main(int argc, char **argv)
{
    if (argc != 2) {
        std::fputs("usage: containers N\n", stderr);
        return 2;
    }
    long n = std::strtol(argv[1], nullptr, 10);
    if (n < 1) {
        std::fputs("containers: N must be positive\n", stderr);
        return 2;
    }

    std::uint64_t check = 0;
    std::vector<std::string> words;
    for (long i = 0; i < n; i++)
        words.push_back(random_word());

    // An ordered index: word -> positions, vectors grown one by one.
    std::map<std::string, std::vector<int>> index;
    for (long i = 0; i < n; i++) {
        index[words[i % (n / 2 + 1)]].push_back(static_cast<int>(i));
    }
    // A hash index of prefixes.
    std::unordered_map<std::string, int> prefixes;
    for (const auto &w : words)
        for (std::size_t k = 1; k <= 3 && k <= w.size(); k++)
            prefixes[w.substr(0, k)]++;

    // Sorted copies, by value and by length.
    std::vector<std::string> sorted(words);
    std::sort(sorted.begin(), sorted.end());
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const std::string &a, const std::string &b) {
                         return a.size() < b.size();
                     });
    for (std::size_t i = 0; i < sorted.size(); i += 97)
        check = check * 31 + sorted[i].size() + sorted[i][0];

    // Erase every other key, then grow the rest.
    bool odd = false;
    for (auto it = index.begin(); it != index.end();) {
        if ((odd = !odd))
            it = index.erase(it);
        else {
            it->second.insert(it->second.end(), 3, 7);
            ++it;
        }
    }

    // Heap-allocated nodes through unique_ptr, strings built by pieces.
    std::vector<std::unique_ptr<Node>> nodes;
    for (const auto &kv : index) {
        std::string name = kv.first + "/" + std::to_string(kv.second.size());
        auto node = std::make_unique<Node>(std::move(name));
        node->values = kv.second;
        nodes.push_back(std::move(node));
    }
    std::uint64_t total = 0;
    for (const auto &node : nodes) {
        total += node->name.size();
        for (int v : node->values)
            total += static_cast<std::uint64_t>(v);
    }

    std::uint64_t pref = 0;
    for (const auto &kv : prefixes)
        pref += kv.first.size() * static_cast<std::uint64_t>(kv.second);

    std::printf("containers n=%ld words=%zu keys=%zu prefixes=%zu "
                "nodes=%zu total=%llu pref=%llu check=%016llx\n",
                n, words.size(), index.size(), prefixes.size(), nodes.size(),
                static_cast<unsigned long long>(total),
                static_cast<unsigned long long>(pref),
                static_cast<unsigned long long>(check));
    return 0;
}

// Reading a JSON document file and parsing it, with the mistakes of hand-edited JSON worded for
// people: the line and column of a syntax error with a hint ("is a comma missing?"), a number
// too large for a double, and duplicate keys, which nlohmann would otherwise resolve silently by
// keeping the last one. Hostile or mistaken input is refused before it costs memory or stack:
// files larger than a bound, nesting deeper than kMaxJsonDepth and objects with more than
// kMaxObjectMembers keys (nlohmann's ordered_json finds each key by a linear search, so a huge
// object would parse in quadratic time).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/core/problem.hpp"

namespace fleetsim {

// Scenarios and inventories are a few kilobytes; a document above this is a mistake (a wrong
// path, /dev/zero, a results file).
constexpr size_t kMaxDocumentBytes = size_t(64) << 20;
// Arrays and objects inside each other; the scenario format needs fewer than ten.
constexpr size_t kMaxJsonDepth = 64;
// Keys of one object; the largest objects of the format (regions, device models) have tens.
constexpr size_t kMaxObjectMembers = 10'000;

// The file's bytes, at most `max_bytes` of them (read in pieces, so a device or a pipe that never
// ends is refused too), or nullopt after adding one "cannot read file: …" problem. Any reader
// of an input file uses it with its own bound.
std::optional<std::string> read_bounded_file(const std::string& path, size_t max_bytes, std::vector<Problem>& problems);

// The file's bytes, or nullopt after adding one "cannot read file: …" problem; `expected` says
// what the file should be ("a scenario JSON file") when it is a directory.
std::optional<std::string> read_document_file(const std::string& path, const std::string& expected,
                                              std::vector<Problem>& problems, size_t max_bytes = kMaxDocumentBytes);

// The first place where `text` nests deeper than kMaxJsonDepth or an object has more than
// kMaxObjectMembers keys ("line 3, column 7: …"), found in one linear pass, or nullopt.
std::optional<Problem> json_structure_problem(const std::string& text);

// The document, with a problem added at each duplicate key (the document holds its last value);
// or nullopt after adding the one syntax problem, which replaces the duplicates seen before it.
// Nesting and object sizes above the limits are one problem each, found before parsing.
std::optional<nlohmann::ordered_json> parse_json_document(const std::string& text, std::vector<Problem>& problems);

}  // namespace fleetsim

// Reading a JSON document file and parsing it, with the mistakes of hand-edited JSON worded for
// people: the line and column of a syntax error with a hint ("is a comma missing?"), a number
// too large for a double, and duplicate keys, which nlohmann would otherwise resolve silently by
// keeping the last one.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/core/problem.hpp"

namespace fleetsim {

// The file's bytes, or nullopt after adding one "cannot read file: …" problem; `expected` says
// what the file should be ("a scenario JSON file") when it is a directory.
std::optional<std::string> read_document_file(const std::string& path, const std::string& expected,
                                              std::vector<Problem>& problems);

// The document, with a problem added at each duplicate key (the document holds its last value);
// or nullopt after adding the one syntax problem, which replaces the duplicates seen before it.
std::optional<nlohmann::ordered_json> parse_json_document(const std::string& text, std::vector<Problem>& problems);

}  // namespace fleetsim

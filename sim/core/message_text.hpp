// How values are shown inside problem messages (sim/core/problem.hpp): user text quoted and
// shortened, numbers with ten significant digits, fractions as percentages.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace fleetsim {

// JSON-quoted and shortened to 80 bytes ("..." marks the cut): user text can be arbitrarily long
// or not valid UTF-8.
std::string quote(std::string_view s);

// "\"a\", \"b\" or \"c\"", each name quoted; `last_sep` joins the last two.
std::string join_quoted(const std::vector<std::string>& names, const char* last_sep = " or ");

// 0.1 -> "0.1", 1e30 -> "1e+30": up to ten significant digits.
std::string number_text(double v);

// 0.125 -> "12.5%", rounded to six decimals of a percent.
std::string percent_text(double fraction);

// The columns UTF-8 text takes in a terminal, counted as code points ("—" is 3 bytes, 1
// column): what aligns console tables. Wide (East Asian) characters count one.
size_t display_width(std::string_view utf8);

}  // namespace fleetsim

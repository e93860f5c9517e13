// man(7) markup of a program's command-line options, rendered from the same
// boost::program_options descriptions its --help prints (fleetsim(1), fleetsim-board(1)): one
// definition of every option and its text.
#pragma once

#include <boost/program_options/options_description.hpp>
#include <string>

namespace fleetsim {

// The caption of `desc` (boost keeps it private): what --help prints before the first option,
// without the trailing ':' boost adds.
std::string options_caption(const boost::program_options::options_description& desc);

// `text` safe as roff input: backslashes and '-' escaped, a leading '.' or '\'' neutralised.
std::string roff_escape(const std::string& text);
// Prose as filled roff text: each line escaped, blank lines start a new paragraph.
std::string roff_prose(const std::string& text);
// One .TP entry per option: "-o, --out arg (=default)" in bold/italics, then its description.
std::string roff_options(const boost::program_options::options_description& desc);
// The page header: .TH NAME SECTION "" "fleetsim VERSION" TITLE.
std::string roff_header(const std::string& name, int section, const std::string& title);

}  // namespace fleetsim

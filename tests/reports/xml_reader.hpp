// A strict reader for the XML fleetsim writes (junit.xml): elements, attributes, text, the five
// predefined entities and character references, an optional <?xml?> declaration. Anything else —
// mismatched or unclosed tags, unquoted or repeated attributes, a stray '<' or '&', text outside
// the root — throws std::runtime_error with the offset, as a JUnit consumer would refuse it.
#pragma once

#include <cctype>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace fleetsim::testing {

struct XmlElement {
  std::string name;
  std::map<std::string, std::string> attributes;
  std::vector<XmlElement> children;
  std::string text;  // character data directly inside, entities resolved

  std::vector<const XmlElement*> all(const std::string& child) const {
    std::vector<const XmlElement*> out;
    for (const XmlElement& c : children)
      if (c.name == child) out.push_back(&c);
    return out;
  }
  std::string attr(const std::string& key) const {
    auto it = attributes.find(key);
    if (it == attributes.end()) throw std::runtime_error("<" + name + "> has no attribute " + key);
    return it->second;
  }
};

class XmlReader {
 public:
  static XmlElement parse(const std::string& text) {
    XmlReader r(text);
    r.skip_space();
    if (r.starts("<?xml")) {
      r.pos_ = r.find("?>") + 2;
      r.skip_space();
    }
    XmlElement root = r.element();
    r.skip_space();
    if (r.pos_ != text.size()) r.fail("content after the root element");
    return root;
  }

 private:
  explicit XmlReader(const std::string& t) : t_(t) {}

  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error("XML offset " + std::to_string(pos_) + ": " + what);
  }
  bool starts(const char* s) const { return t_.compare(pos_, std::char_traits<char>::length(s), s) == 0; }
  size_t find(const char* s) const {
    size_t at = t_.find(s, pos_);
    if (at == std::string::npos) fail(std::string("no closing ") + s);
    return at;
  }
  void skip_space() {
    while (pos_ < t_.size() && (t_[pos_] == ' ' || t_[pos_] == '\n' || t_[pos_] == '\t' || t_[pos_] == '\r')) ++pos_;
  }
  static bool name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == ':';
  }
  std::string name() {
    size_t from = pos_;
    while (pos_ < t_.size() && name_char(t_[pos_])) ++pos_;
    if (pos_ == from) fail("expected a name");
    return t_.substr(from, pos_ - from);
  }
  // Text up to `end`, with entities resolved; '<' is not allowed in it.
  std::string chars(char end) {
    std::string out;
    while (pos_ < t_.size() && t_[pos_] != end) {
      const char c = t_[pos_];
      if (c == '<') fail("'<' in text or attribute value");
      if (c != '&') {
        out += c;
        ++pos_;
        continue;
      }
      const size_t semi = find(";");
      const std::string ent = t_.substr(pos_ + 1, semi - pos_ - 1);
      static const std::map<std::string, std::string> named = {
          {"amp", "&"}, {"lt", "<"}, {"gt", ">"}, {"quot", "\""}, {"apos", "'"}};
      if (named.count(ent))
        out += named.at(ent);
      else if (ent.size() > 1 && ent[0] == '#' && ent.find_first_not_of("0123456789", 1) == std::string::npos)
        out += char(std::stoi(ent.substr(1)));  // ASCII is all fleetsim escapes this way
      else
        fail("unknown entity &" + ent + ";");
      pos_ = semi + 1;
    }
    return out;
  }
  XmlElement element() {
    if (pos_ >= t_.size() || t_[pos_] != '<') fail("expected '<'");
    ++pos_;
    XmlElement e;
    e.name = name();
    for (;;) {
      skip_space();
      if (starts("/>")) {
        pos_ += 2;
        return e;
      }
      if (starts(">")) {
        ++pos_;
        break;
      }
      const std::string key = name();
      if (!starts("=\"")) fail("attribute " + key + " without a quoted value");
      pos_ += 2;
      std::string value = chars('"');
      if (pos_ >= t_.size()) fail("unterminated attribute " + key);
      ++pos_;
      if (!e.attributes.emplace(key, value).second) fail("repeated attribute " + key);
    }
    for (;;) {
      e.text += chars('<');
      if (pos_ >= t_.size()) fail("<" + e.name + "> is not closed");
      if (starts("</")) {
        pos_ += 2;
        if (name() != e.name) fail("mismatched closing tag for <" + e.name + ">");
        skip_space();
        if (!starts(">")) fail("expected '>'");
        ++pos_;
        return e;
      }
      if (starts("<!--")) {
        pos_ = find("-->") + 3;
        continue;
      }
      e.children.push_back(element());
    }
  }

  const std::string& t_;
  size_t pos_ = 0;
};

}  // namespace fleetsim::testing

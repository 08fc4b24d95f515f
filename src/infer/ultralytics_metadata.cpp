#include "infer/ultralytics_metadata.h"

#include <cctype>
#include <map>
#include <regex>

namespace pw::infer {
namespace {

bool ParseBool(const std::string& v) { return v == "True" || v == "true" || v == "1"; }

std::vector<int> ParseInts(const std::string& v) {
  std::vector<int> out;
  static const std::regex kInt(R"(-?\d+)");
  for (auto it = std::sregex_iterator(v.begin(), v.end(), kInt); it != std::sregex_iterator(); ++it) {
    out.push_back(std::stoi(it->str()));
  }
  return out;
}

// `'key': True` inside the args dict literal.
bool ArgsFlag(const std::string& args, const std::string& key) {
  const std::regex re("'" + key + R"('\s*:\s*(True|False))");
  std::smatch m;
  return std::regex_search(args, m, re) && m[1] == "True";
}

}  // namespace

std::vector<std::string> ParseNamesLiteral(const std::string& literal) {
  static const std::regex kEntry(R"((\d+)\s*:\s*(?:'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\"))");
  std::map<int, std::string> by_id;
  for (auto it = std::sregex_iterator(literal.begin(), literal.end(), kEntry);
       it != std::sregex_iterator(); ++it) {
    const auto& m = *it;
    by_id[std::stoi(m[1].str())] = m[2].matched ? m[2].str() : m[3].str();
  }
  std::vector<std::string> names;
  if (by_id.empty()) return names;
  const int count = by_id.rbegin()->first + 1;
  for (int i = 0; i < count; ++i) {
    auto it = by_id.find(i);
    names.push_back(it != by_id.end() ? it->second : "class" + std::to_string(i));
  }
  return names;
}

UltralyticsMetadata ParseUltralyticsMetadata(const onnx::ModelProto& model) {
  UltralyticsMetadata md;
  for (const auto& prop : model.metadata_props()) {
    const std::string& k = prop.key();
    const std::string& v = prop.value();
    if (k == "task") {
      md.task = v;
    } else if (k == "names") {
      md.names = ParseNamesLiteral(v);
    } else if (k == "imgsz") {
      auto ints = ParseInts(v);
      if (ints.size() == 1) ints.push_back(ints[0]);
      if (ints.size() >= 2) md.imgsz_h = ints[0], md.imgsz_w = ints[1];
    } else if (k == "stride") {
      auto ints = ParseInts(v);
      if (!ints.empty() && ints[0] > 0) md.stride = ints[0];
    } else if (k == "end2end") {
      md.end2end = ParseBool(v);
    } else if (k == "nms") {
      md.nms = ParseBool(v);
    } else if (k == "args") {
      md.nms = md.nms || ArgsFlag(v, "nms");
      md.dynamic = ArgsFlag(v, "dynamic");
    } else if (k == "version") {
      md.version = v;
    } else if (k == "description") {
      md.description = v;
    } else {
      continue;
    }
    md.present = true;
  }
  return md;
}

}  // namespace pw::infer

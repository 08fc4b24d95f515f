#include "infer/onnx_file.h"

#include <openssl/evp.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <system_error>
#include <vector>

#include <fmt/format.h>

namespace pw::infer {
namespace {

core::Result<std::string> ReadWholeFile(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return core::Status::NotFound(fmt::format(
        "model file {} does not exist or is not a file; check the MODEL_PATH setting", path.string()));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return core::Status::Unavailable(
        fmt::format("cannot open model file {}; check its permissions", path.string()));
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Every node input must be produced by a graph input, an initializer or an earlier node. A file cut
// short parses fine when the cut falls between two fields, but then loses tensors or nodes.
core::Status CheckGraphComplete(const onnx::GraphProto& graph) {
  std::set<std::string> known;
  for (const auto& in : graph.input()) known.insert(in.name());
  for (const auto& init : graph.initializer()) known.insert(init.name());
  for (const auto& node : graph.node()) {
    for (const auto& name : node.input()) {
      if (!name.empty() && !known.count(name)) {
        return core::Status::Unprocessable(fmt::format(
            "node '{}' ({}) uses tensor '{}' that the file does not contain", node.name(),
            node.op_type(), name));
      }
    }
    for (const auto& name : node.output()) known.insert(name);
  }
  for (const auto& out : graph.output()) {
    if (!known.count(out.name())) {
      return core::Status::Unprocessable(
          fmt::format("graph output '{}' is never computed", out.name()));
    }
  }
  return core::Status::Ok();
}

}  // namespace

core::Result<onnx::ModelProto> ReadOnnxFile(const std::filesystem::path& path) {
  auto bytes = ReadWholeFile(path);
  if (!bytes.ok()) return bytes.status();
  const std::string hint =
      "the file is not a complete ONNX model (truncated copy or a different format); copy "
      "best.onnx again from the training machine or re-export it with `yolo export format=onnx`";
  if (bytes->empty()) {
    return core::Status::Unprocessable(fmt::format("model file {} is empty; {}", path.string(), hint));
  }
  onnx::ModelProto model;
  if (!model.ParseFromString(*bytes)) {
    return core::Status::Unprocessable(
        fmt::format("model file {} cannot be parsed as ONNX: {}", path.string(), hint));
  }
  if (!model.has_graph() || model.graph().node_size() == 0 || model.graph().input_size() == 0 ||
      model.graph().output_size() == 0 || model.opset_import_size() == 0) {
    return core::Status::Unprocessable(
        fmt::format("model file {} holds no usable ONNX graph: {}", path.string(), hint));
  }
  if (auto st = CheckGraphComplete(model.graph()); !st.ok()) {
    return core::Status::Unprocessable(
        fmt::format("model file {} is incomplete ({}): {}", path.string(), st.message(), hint));
  }
  return model;
}

core::Status WriteOnnxFile(const onnx::ModelProto& model, const std::filesystem::path& path) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  if (ec) {
    return core::Status::Unavailable(fmt::format("cannot create model cache directory {}: {}",
                                                 path.parent_path().string(), ec.message()));
  }
  const auto tmp = std::filesystem::path(path.string() + ".tmp");
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out || !model.SerializeToOstream(&out) || !out.flush()) {
      std::filesystem::remove(tmp, ec);
      return core::Status::Unavailable(
          fmt::format("cannot write {} (disk full or not writable?)", tmp.string()));
    }
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    return core::Status::Unavailable(fmt::format("cannot move {} into place: {}", path.string(), ec.message()));
  }
  return core::Status::Ok();
}

int OnnxOpset(const onnx::ModelProto& model) {
  for (const auto& op : model.opset_import()) {
    if (op.domain().empty() || op.domain() == "ai.onnx") return static_cast<int>(op.version());
  }
  return 0;
}

core::Result<std::string> Sha256OfFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::Status::NotFound(fmt::format("cannot read {}", path.string()));
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
    return core::Status::Internal("OpenSSL SHA-256 is unavailable");
  }
  std::vector<char> buf(1 << 20);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    if (in.gcount() > 0) EVP_DigestUpdate(ctx.get(), buf.data(), static_cast<size_t>(in.gcount()));
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx.get(), digest, &len);
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

}  // namespace pw::infer

#include "infer/test_models.h"  // tests/infer/test_models.h

#include <fstream>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace pw::infer::test {
namespace {

void AddFloatInit(onnx::GraphProto* g, const std::string& name, const std::vector<int64_t>& dims,
                  const std::vector<float>& v) {
  auto* t = g->add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::FLOAT);
  for (auto d : dims) t->add_dims(d);
  for (float x : v) t->add_float_data(x);
}

void AddInt64Init(onnx::GraphProto* g, const std::string& name, const std::vector<int64_t>& v) {
  auto* t = g->add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::INT64);
  t->add_dims(static_cast<int64_t>(v.size()));
  for (auto x : v) t->add_int64_data(x);
}

onnx::NodeProto* AddNode(onnx::GraphProto* g, const std::string& op, const std::vector<std::string>& in,
                         const std::string& out) {
  auto* n = g->add_node();
  n->set_op_type(op);
  n->set_name(out + "_node");
  for (const auto& i : in) n->add_input(i);
  n->add_output(out);
  return n;
}

void AddInts(onnx::NodeProto* n, const std::string& name, const std::vector<int64_t>& v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (auto x : v) a->add_ints(x);
}

void SetShape(onnx::ValueInfoProto* vi, const std::vector<int64_t>& dims) {
  vi->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
  for (auto d : dims) vi->mutable_type()->mutable_tensor_type()->mutable_shape()->add_dim()->set_dim_value(d);
}

}  // namespace

std::filesystem::path DataFile(const std::string& name) {
  return std::filesystem::path(PW_TEST_SOURCE_DIR) / "tests" / "data" / "infer" / name;
}

std::vector<float> ReadFloats(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<float> v(std::filesystem::file_size(path) / sizeof(float));
  in.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(v.size() * sizeof(float)));
  return v;
}

float MaxAbsDiff(const cv::Mat& m, const std::vector<float>& ref) {
  EXPECT_EQ(m.total(), ref.size());
  if (m.total() != ref.size()) return 1e9f;
  const float* p = m.ptr<float>();
  float worst = 0;
  for (size_t i = 0; i < ref.size(); ++i) worst = std::max(worst, std::abs(p[i] - ref[i]));
  return worst;
}

onnx::ModelProto MakeTinyDetectModel(int size) {
  onnx::ModelProto m;
  m.set_ir_version(7);
  m.set_producer_name("pigweight-tests");
  m.add_opset_import()->set_version(12);
  for (auto [k, v] : {std::pair<const char*, std::string>{"task", "detect"},
                      {"names", "{0: 'pig'}"},
                      {"imgsz", fmt::format("[{}, {}]", size, size)},
                      {"stride", "32"}}) {
    auto* p = m.add_metadata_props();
    p->set_key(k);
    p->set_value(v);
  }
  auto* g = m.mutable_graph();
  g->set_name("tiny");
  auto* in = g->add_input();
  in->set_name("images");
  SetShape(in, {1, 3, size, size});
  const float c = static_cast<float>(size) / 2, wh = static_cast<float>(size) / 4;
  // Conv 1x1: rows cx, cy, w, h come from the bias; the score is the mean of the 3 channels.
  AddFloatInit(g, "w", {5, 3, 1, 1}, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1.f / 3, 1.f / 3, 1.f / 3});
  AddFloatInit(g, "b", {5}, {c, c, wh, wh, 0});
  AddInt64Init(g, "shape", {1, 5, -1});
  std::vector<std::string> levels;
  int64_t anchors = 0;
  for (int s : {8, 16, 32}) {
    const std::string p = fmt::format("s{}", s);
    auto* pool = AddNode(g, "AveragePool", {"images"}, p + "_pool");
    AddInts(pool, "kernel_shape", {s, s});
    AddInts(pool, "strides", {s, s});
    AddInts(AddNode(g, "Conv", {p + "_pool", "w", "b"}, p + "_conv"), "kernel_shape", {1, 1});
    AddNode(g, "Reshape", {p + "_conv", "shape"}, p + "_flat");
    levels.push_back(p + "_flat");
    anchors += int64_t{size / s} * (size / s);
  }
  auto* cat = AddNode(g, "Concat", levels, "output0");
  auto* axis = cat->add_attribute();
  axis->set_name("axis");
  axis->set_type(onnx::AttributeProto::INT);
  axis->set_i(2);
  auto* out = g->add_output();
  out->set_name("output0");
  SetShape(out, {1, 5, anchors});
  return m;
}

void SaveModel(const onnx::ModelProto& model, const std::filesystem::path& path) {
  std::ofstream out(path, std::ios::binary);
  ASSERT_TRUE(model.SerializeToOstream(&out));
}

}  // namespace pw::infer::test

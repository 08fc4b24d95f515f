#include "infer/graph_rewrites.h"

#include <cmath>
#include <cstring>
#include <map>

#include <fmt/format.h>

namespace pw::infer {
namespace {

template <typename T>
std::vector<T> RawValues(const onnx::TensorProto& t) {
  std::vector<T> v(t.raw_data().size() / sizeof(T));
  if (!v.empty()) std::memcpy(v.data(), t.raw_data().data(), v.size() * sizeof(T));
  return v;
}

void SetInt64Tensor(onnx::TensorProto* t, const std::string& name, const std::vector<int64_t>& v) {
  t->Clear();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::INT64);
  t->add_dims(static_cast<int64_t>(v.size()));
  t->set_raw_data(std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(int64_t)));
}

void SetFloatData(onnx::TensorProto* t, const std::vector<float>& v) {
  t->clear_float_data();
  t->set_raw_data(std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float)));
}

std::string AddInt64Initializer(onnx::GraphProto* g, const std::string& name,
                                const std::vector<int64_t>& v) {
  SetInt64Tensor(g->add_initializer(), name, v);
  return name;
}

bool SameValues(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::fabs(a[i] - b[i]) > 1e-4f) return false;
  }
  return true;
}

std::vector<float> Tile(const std::vector<float>& v, int times) {
  std::vector<float> out;
  out.reserve(v.size() * static_cast<size_t>(times));
  for (int i = 0; i < times; ++i) out.insert(out.end(), v.begin(), v.end());
  return out;
}

// Maps shape entries of a Reshape from one head geometry to another: the anchor count, each
// level's cell count, and trailing (rows, cols) pairs of a level's grid.
std::vector<int64_t> RetargetShape(std::vector<int64_t> shape, const HeadGeometry& from,
                                   const HeadGeometry& to) {
  const auto gf = from.Grids(), gt = to.Grids();
  std::vector<bool> done(shape.size(), false);
  const size_t n = shape.size();
  if (n >= 4) {
    for (size_t l = 0; l < gf.size(); ++l) {
      if (shape[n - 2] == gf[l].first && shape[n - 1] == gf[l].second) {
        shape[n - 2] = gt[l].first, shape[n - 1] = gt[l].second;
        done[n - 2] = done[n - 1] = true;
        break;
      }
    }
  }
  for (size_t i = 0; i < n; ++i) {
    if (done[i]) continue;
    if (shape[i] == from.Anchors()) {
      shape[i] = to.Anchors();
      continue;
    }
    for (size_t l = 0; l < gf.size(); ++l) {
      if (shape[i] == int64_t{gf[l].first} * gf[l].second) {
        shape[i] = int64_t{gt[l].first} * gt[l].second;
        break;
      }
    }
  }
  return shape;
}

void RetargetValueInfoDims(onnx::ValueInfoProto* vi, const HeadGeometry& from, const HeadGeometry& to) {
  auto* shape = vi->mutable_type()->mutable_tensor_type()->mutable_shape();
  const int n = shape->dim_size();
  for (int i = 0; i < n; ++i) {
    if (shape->dim(i).dim_value() == from.Anchors()) shape->mutable_dim(i)->set_dim_value(to.Anchors());
  }
  if (n >= 4) {  // (rows, cols) at some fraction of the input, e.g. mask prototypes at 1/4
    const int64_t h = shape->dim(n - 2).dim_value(), w = shape->dim(n - 1).dim_value();
    if (h > 0 && w > 0 && from.height % h == 0 && from.width % w == 0 &&
        from.height / h == from.width / w) {
      const int64_t k = from.height / h;
      shape->mutable_dim(n - 2)->set_dim_value(to.height / k);
      shape->mutable_dim(n - 1)->set_dim_value(to.width / k);
    }
  }
}

}  // namespace

int64_t HeadGeometry::Anchors() const {
  int64_t a = 0;
  for (const auto& [r, c] : Grids()) a += int64_t{r} * c;
  return a;
}

std::vector<std::pair<int, int>> HeadGeometry::Grids() const {
  std::vector<std::pair<int, int>> g;
  for (int s : strides) g.emplace_back((height + s - 1) / s, (width + s - 1) / s);
  return g;
}

std::vector<float> HeadGeometry::AnchorPoints() const {
  std::vector<float> xs, ys;
  for (const auto& [rows, cols] : Grids()) {
    for (int y = 0; y < rows; ++y) {
      for (int x = 0; x < cols; ++x) {
        xs.push_back(static_cast<float>(x) + 0.5f);
        ys.push_back(static_cast<float>(y) + 0.5f);
      }
    }
  }
  xs.insert(xs.end(), ys.begin(), ys.end());
  return xs;
}

std::vector<float> HeadGeometry::AnchorStrides() const {
  std::vector<float> out;
  const auto grids = Grids();
  for (size_t l = 0; l < grids.size(); ++l) {
    out.insert(out.end(), static_cast<size_t>(grids[l].first) * grids[l].second,
               static_cast<float>(strides[l]));
  }
  return out;
}

std::vector<int> GuessHeadStrides(int width, int height, int64_t anchors) {
  for (std::vector<int> s : {std::vector<int>{8, 16, 32}, {8, 16, 32, 64}, {4, 8, 16, 32}, {16, 32, 64}}) {
    if (HeadGeometry{width, height, s}.Anchors() == anchors) return s;
  }
  return {};
}

std::vector<int64_t> Int64Values(const onnx::TensorProto& t) {
  if (!t.raw_data().empty()) return RawValues<int64_t>(t);
  return {t.int64_data().begin(), t.int64_data().end()};
}

std::vector<float> FloatValues(const onnx::TensorProto& t) {
  if (!t.raw_data().empty()) return RawValues<float>(t);
  return {t.float_data().begin(), t.float_data().end()};
}

const onnx::TensorProto* FindInitializer(const onnx::GraphProto& graph, const std::string& name) {
  for (const auto& t : graph.initializer()) {
    if (t.name() == name) return &t;
  }
  return nullptr;
}

bool HasOp(const onnx::GraphProto& graph, const std::string& op_type) {
  for (const auto& n : graph.node()) {
    if (n.op_type() == op_type) return true;
  }
  return false;
}

int ConstantNodesToInitializers(onnx::GraphProto* graph) {
  google::protobuf::RepeatedPtrField<onnx::NodeProto> kept;
  int moved = 0;
  for (auto& node : *graph->mutable_node()) {
    if (node.op_type() == "Constant" && node.output_size() == 1 && node.attribute_size() == 1 &&
        node.attribute(0).name() == "value") {
      auto* t = graph->add_initializer();
      *t = node.attribute(0).t();
      t->set_name(node.output(0));
      ++moved;
    } else {
      *kept.Add() = std::move(node);
    }
  }
  graph->mutable_node()->Swap(&kept);
  return moved;
}

core::Result<int> UnevenSplitsToSlices(onnx::GraphProto* graph, int opset) {
  google::protobuf::RepeatedPtrField<onnx::NodeProto> out;
  int replaced = 0;
  for (auto& node : *graph->mutable_node()) {
    if (node.op_type() != "Split") {
      *out.Add() = std::move(node);
      continue;
    }
    int64_t axis = 0;
    std::vector<int64_t> sizes;
    for (const auto& a : node.attribute()) {
      if (a.name() == "axis") axis = a.i();
      if (a.name() == "split") sizes.assign(a.ints().begin(), a.ints().end());
    }
    if (node.input_size() > 1 && !node.input(1).empty()) {
      const auto* t = FindInitializer(*graph, node.input(1));
      if (!t) {
        return core::Status::Unprocessable(fmt::format(
            "Split '{}' has sizes computed at run time; re-export with dynamic=False", node.name()));
      }
      sizes = Int64Values(*t);
    }
    bool even = true;
    for (auto s : sizes) even = even && s == sizes.front();
    if (sizes.empty() || even) {
      *out.Add() = std::move(node);
      continue;
    }
    if (opset < 10) {
      return core::Status::Unprocessable(fmt::format(
          "uneven Split '{}' in an opset {} model is not supported; re-export with opset=12 or newer",
          node.name(), opset));
    }
    int64_t start = 0;
    for (int i = 0; i < node.output_size() && i < static_cast<int>(sizes.size()); ++i) {
      const std::string base = fmt::format("{}_pw_slice{}", node.name(), i);
      auto* s = out.Add();
      s->set_op_type("Slice");
      s->set_name(base);
      s->add_input(node.input(0));
      s->add_input(AddInt64Initializer(graph, base + "_starts", {start}));
      s->add_input(AddInt64Initializer(graph, base + "_ends", {start + sizes[static_cast<size_t>(i)]}));
      s->add_input(AddInt64Initializer(graph, base + "_axes", {axis}));
      s->add_output(node.output(i));
      start += sizes[static_cast<size_t>(i)];
    }
    ++replaced;
  }
  graph->mutable_node()->Swap(&out);
  return replaced;
}

int BroadcastStrideMul(onnx::GraphProto* graph, int64_t anchors) {
  int changed = 0;
  for (auto& node : *graph->mutable_node()) {
    if (node.op_type() != "Mul" || node.input_size() != 2) continue;
    for (int i = 0; i < 2; ++i) {
      const auto* t = FindInitializer(*graph, node.input(i));
      if (!t || t->data_type() != onnx::TensorProto::FLOAT || t->dims_size() != 2 ||
          t->dims(0) != 1 || t->dims(1) != anchors) {
        continue;
      }
      const auto tiled = Tile(FloatValues(*t), 4);
      auto* b = graph->add_initializer();
      b->set_name(node.input(i) + "_pw_bcast4");
      b->set_data_type(onnx::TensorProto::FLOAT);
      for (int64_t d : {int64_t{1}, int64_t{4}, anchors}) b->add_dims(d);
      SetFloatData(b, tiled);
      node.set_input(i, b->name());
      ++changed;
    }
  }
  return changed;
}

int SigmoidMulToSwish(onnx::GraphProto* graph) {
  std::map<std::string, int> uses, producer;
  for (int i = 0; i < graph->node_size(); ++i) {
    for (const auto& in : graph->node(i).input()) uses[in]++;
    for (const auto& out : graph->node(i).output()) producer[out] = i;
  }
  for (const auto& out : graph->output()) uses[out.name()]++;
  std::vector<bool> drop(static_cast<size_t>(graph->node_size()), false);
  int fused = 0;
  for (auto& node : *graph->mutable_node()) {
    if (node.op_type() != "Mul" || node.input_size() != 2) continue;
    for (int k = 0; k < 2; ++k) {
      const auto it = producer.find(node.input(k));
      if (it == producer.end()) continue;
      const auto& sig = graph->node(it->second);
      if (sig.op_type() != "Sigmoid" || sig.input(0) != node.input(1 - k) || uses[sig.output(0)] != 1) continue;
      const std::string x = node.input(1 - k);
      node.set_op_type("Swish");
      node.clear_input();
      node.add_input(x);
      drop[static_cast<size_t>(it->second)] = true;
      ++fused;
      break;
    }
  }
  google::protobuf::RepeatedPtrField<onnx::NodeProto> kept;
  for (int i = 0; i < graph->node_size(); ++i) {
    if (!drop[static_cast<size_t>(i)]) *kept.Add() = std::move(*graph->mutable_node(i));
  }
  graph->mutable_node()->Swap(&kept);
  return fused;
}

core::Result<int> RetargetInputSize(onnx::GraphProto* graph, const HeadGeometry& from,
                                    const HeadGeometry& to) {
  const int64_t a_from = from.Anchors();
  const auto anchors_from = from.AnchorPoints(), strides_from = from.AnchorStrides();
  std::map<std::string, int> reshape_shapes;
  for (const auto& node : graph->node()) {
    if (node.op_type() == "Reshape" && node.input_size() > 1) reshape_shapes[node.input(1)]++;
    if (node.op_type() == "Resize" && node.input_size() > 3 && !node.input(3).empty()) {
      return core::Status::Unprocessable(fmt::format(
          "Resize '{}' uses fixed output sizes; this model can only run at its export size",
          node.name()));
    }
  }
  int changed = 0;
  for (auto& t : *graph->mutable_initializer()) {
    if (t.data_type() == onnx::TensorProto::INT64 && reshape_shapes.count(t.name())) {
      auto v = Int64Values(t), nv = RetargetShape(v, from, to);
      if (nv != v) {
        const auto dims = std::vector<int64_t>(t.dims().begin(), t.dims().end());
        const std::string name = t.name();  // SetInt64Tensor clears the tensor first
        SetInt64Tensor(&t, name, nv);
        t.clear_dims();
        for (auto d : dims) t.add_dims(d);
        ++changed;
      }
      continue;
    }
    bool has_anchor_dim = false;
    for (auto d : t.dims()) has_anchor_dim = has_anchor_dim || d == a_from;
    if (!has_anchor_dim) continue;
    if (t.data_type() != onnx::TensorProto::FLOAT) {
      return core::Status::Unprocessable(fmt::format(
          "constant '{}' depends on the input size in a way this importer does not know", t.name()));
    }
    const auto v = FloatValues(t);
    std::vector<float> nv;
    if (SameValues(v, anchors_from)) {
      nv = to.AnchorPoints();
    } else if (!strides_from.empty() && v.size() % strides_from.size() == 0 &&
               SameValues(v, Tile(strides_from, static_cast<int>(v.size() / strides_from.size())))) {
      nv = Tile(to.AnchorStrides(), static_cast<int>(v.size() / strides_from.size()));
    } else {
      return core::Status::Unprocessable(fmt::format(
          "head constant '{}' is neither anchor points nor strides; export this model at the "
          "wanted imgsz instead", t.name()));
    }
    for (int i = 0; i < t.dims_size(); ++i) {
      if (t.dims(i) == a_from) t.set_dims(i, to.Anchors());
    }
    SetFloatData(&t, nv);
    ++changed;
  }
  PinInputShape(graph, 3, to.height, to.width);
  for (auto& out : *graph->mutable_output()) RetargetValueInfoDims(&out, from, to);
  return changed;
}

void PinInputShape(onnx::GraphProto* graph, int channels, int height, int width) {
  auto* shape = graph->mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape();
  shape->clear_dim();
  for (int d : {1, channels, height, width}) shape->add_dim()->set_dim_value(d);
  graph->clear_value_info();
}

}  // namespace pw::infer

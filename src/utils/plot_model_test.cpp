#include "keras/utils/plot_model.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <keras/keras.hpp>

namespace keras {
namespace {

namespace L = keras::layers;
namespace fs = std::filesystem;

Model two_input_model() {
  auto a = Input({3}, {.name = "a"});
  auto b = Input({2}, {.name = "b"});
  auto d = L::Dense(4, {.name = "d"})(a);
  auto cat = L::concatenate({d, b}, {.name = "cat"});
  return Model({a, b}, L::Dense(1, {.name = "out"})(cat), {.name = "net"});
}

TEST(PlotModel, DotTextDrawsLayersAndEdgesAsKeras) {
  EXPECT_EQ(utils::model_to_dot(two_input_model(), {.show_shapes = true}),
            "digraph G {\n"
            "concentrate=true;\n"
            "dpi=96;\n"
            "rankdir=TB;\n"
            "node [shape=record];\n"
            "\"a\" [label=\"a: InputLayer\\n|{input:|output:}|{{(None, 3)}|{(None, 3)}}\"];\n"
            "\"d\" [label=\"d: Dense\\n|{input:|output:}|{{(None, 3)}|{(None, 4)}}\"];\n"
            "\"b\" [label=\"b: InputLayer\\n|{input:|output:}|{{(None, 2)}|{(None, 2)}}\"];\n"
            "\"cat\" [label=\"cat: Concatenate\\n|{input:|output:}|{{[(None, 4), (None, "
            "2)]}|{(None, 6)}}\"];\n"
            "\"out\" [label=\"out: Dense\\n|{input:|output:}|{{(None, 6)}|{(None, 1)}}\"];\n"
            "\"a\" -> \"d\";\n"
            "\"d\" -> \"cat\";\n"
            "\"b\" -> \"cat\";\n"
            "\"cat\" -> \"out\";\n"
            "}\n");
  EXPECT_THAT(
      utils::model_to_dot(two_input_model(), {.show_layer_names = false,
                                              .rankdir = "LR",
                                              .dpi = 200,
                                              .show_dtype = true,
                                              .show_trainable = true}),
      ::testing::AllOf(::testing::HasSubstr("rankdir=LR;"), ::testing::HasSubstr("dpi=200;"),
                       ::testing::HasSubstr("\"d\" [label=\"{{T}|{Dense|float32}}\"];")));
  EXPECT_THROW(utils::model_to_dot(two_input_model(), {.rankdir = "UP"}), ValueError);
}

TEST(PlotModel, NestedModelsAreOneNodeOrExpanded) {
  auto x = Input({3}, {.name = "x"});
  Model inner = two_input_model();
  auto y = Input({2}, {.name = "y"});
  auto z = inner({x, y});
  Model outer({x, y}, L::Dense(2, {.name = "head"})(z), {.name = "outer"});
  const std::string one = utils::model_to_dot(outer);
  EXPECT_THAT(one, ::testing::HasSubstr("\"net\" [label=\"net: Model\"];"));
  EXPECT_THAT(one,
              ::testing::HasSubstr("\"x\" -> \"net\";\n\"y\" -> \"net\";\n\"net\" -> \"head\";"));
  const std::string expanded = utils::model_to_dot(outer, {.expand_nested = true});
  EXPECT_THAT(expanded, ::testing::HasSubstr("subgraph \"cluster_net/\" {\n  label=\"net\";"));
  EXPECT_THAT(expanded, ::testing::HasSubstr("  \"net/cat\" [label=\"cat: Concatenate\"];"));
  EXPECT_THAT(expanded, ::testing::HasSubstr("\"x\" -> \"net/a\";\n\"y\" -> \"net/b\";\n"
                                             "\"net/out\" -> \"head\";"));
}

TEST(PlotModel, SequentialModelsShowTheirInputLayer) {
  Sequential unbuilt({L::Dense(2)});
  EXPECT_THAT([&] { utils::model_to_dot(unbuilt); },
              ::testing::ThrowsMessage<ValueError>(
                  ::testing::HasSubstr("This model has not yet been built.")));
  Sequential model({L::Dense(2, {.name = "first"}), L::Dense(1, {.name = "second"})});
  model.build({kNone, 3});
  const std::string dot = utils::model_to_dot(model);
  EXPECT_THAT(dot, ::testing::HasSubstr("[label=\"first: Dense\"];"));
  EXPECT_THAT(dot, ::testing::ContainsRegex("InputLayer\"\\];\n"));
  EXPECT_THAT(dot, ::testing::HasSubstr("\"first\" -> \"second\";"));
}

TEST(PlotModel, WritesPngSvgAndDotFiles) {
  const fs::path dir = fs::temp_directory_path() / ("keras_plot_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  Model model = two_input_model();
  auto head = [](const fs::path& p, size_t n) {
    std::ifstream in(p, std::ios::binary);
    std::string s(n, '\0');
    in.read(s.data(), static_cast<std::streamsize>(n));
    return s;
  };
  utils::plot_model(model, (dir / "m.png").string(), {.show_shapes = true});
  EXPECT_EQ(head(dir / "m.png", 8), "\x89PNG\r\n\x1a\n");
  utils::plot_model(model, (dir / "m.svg").string());
  EXPECT_THAT(head(dir / "m.svg", 1000), ::testing::HasSubstr("<svg"));
  utils::plot_model(model, (dir / "m.dot").string());
  EXPECT_EQ(head(dir / "m.dot", 11), "digraph G {");
  EXPECT_THROW(utils::plot_model(model, (dir / "m.nope").string()), ValueError);
  EXPECT_FALSE(fs::exists(dir / "m.nope"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace keras

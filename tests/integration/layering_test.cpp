// The module table of docs/architecture.md is the law for #include: this test reads it and checks
// every include in include/keras/ and src/ (unit tests aside, which may use anything above them).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using ModuleSet = std::set<std::string>;

const fs::path kRoot = KERAS_SOURCE_DIR;

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Backquoted words of one table cell: "`io`, `datasets`" -> {io, datasets}; plain words too
// ("core, zlib"), keeping only those that are modules (filtered by the caller).
std::vector<std::string> cell_words(const std::string& cell) {
  std::vector<std::string> words;
  static const std::regex word("[a-z_]+");
  for (std::sregex_iterator it(cell.begin(), cell.end(), word), end; it != end; ++it)
    words.push_back(it->str());
  return words;
}

struct Table {
  std::map<std::string, int> row_of;  // module -> its row
  std::vector<ModuleSet> row_deps;    // row -> modules it names in "depends on"
};

// Rows of the "| module | contents | depends on |" table.
Table read_table() {
  std::istringstream doc(read_text(kRoot / "docs/architecture.md"));
  Table table;
  std::vector<std::pair<std::vector<std::string>, std::vector<std::string>>> rows;
  std::string line;
  bool in_table = false;
  while (std::getline(doc, line)) {
    if (line.rfind("| module | contents | depends on |", 0) == 0) {
      in_table = true;
      continue;
    }
    if (!in_table || line.rfind("|---", 0) == 0) continue;
    if (line.empty() || line[0] != '|') break;
    // Split on the outer '|'; contents may not contain '|'.
    std::vector<std::string> cells;
    std::string cell;
    for (size_t i = 1; i < line.size(); ++i) {
      if (line[i] == '|') {
        cells.push_back(cell);
        cell.clear();
      } else {
        cell += line[i];
      }
    }
    if (cells.size() != 3) continue;
    // The module cell: only backquoted names (the utils row says "(`plot_model`)" after them).
    std::vector<std::string> modules;
    static const std::regex quoted("`([a-z_]+)`");
    std::string first = cells[0].substr(0, cells[0].find('('));
    for (std::sregex_iterator it(first.begin(), first.end(), quoted), end; it != end; ++it)
      modules.push_back((*it)[1].str());
    rows.emplace_back(modules, cell_words(cells[2]));
  }
  for (size_t r = 0; r < rows.size(); ++r)
    for (const auto& m : rows[r].first) table.row_of[m] = static_cast<int>(r);
  for (const auto& [modules, deps] : rows) {
    ModuleSet named;
    for (const auto& d : deps)
      if (table.row_of.count(d)) named.insert(d);
    table.row_deps.push_back(named);
  }
  return table;
}

// What a module may include: its own row, the rows it names, and theirs, transitively.
ModuleSet allowed_for(const Table& table, const std::string& module) {
  ModuleSet allowed;
  std::vector<int> todo{table.row_of.at(module)};
  std::set<int> seen;
  while (!todo.empty()) {
    int row = todo.back();
    todo.pop_back();
    if (!seen.insert(row).second) continue;
    for (const auto& [m, r] : table.row_of)
      if (r == row) allowed.insert(m);
    for (const auto& d : table.row_deps[row]) todo.push_back(table.row_of.at(d));
  }
  return allowed;
}

TEST(Layering, TableNamesEveryModule) {
  Table table = read_table();
  for (const fs::path& dir : {kRoot / "src", kRoot / "include/keras"})
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (!entry.is_directory()) continue;
      EXPECT_TRUE(table.row_of.count(entry.path().filename().string()))
          << entry.path() << " is a module missing from docs/architecture.md's table";
    }
}

TEST(Layering, EveryIncludeFollowsTheTable) {
  Table table = read_table();
  ASSERT_GE(table.row_of.size(), 10u) << "docs/architecture.md's module table was not found";
  // "keras/layers/layer.h" or, inside src/, "layers/config_util.h".
  static const std::regex include_re(R"re(^\s*#\s*include\s*"(?:keras/)?([a-z_]+)/)re");
  int checked = 0;
  for (const fs::path& dir : {kRoot / "src", kRoot / "include/keras"}) {
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
      if (!entry.is_regular_file()) continue;
      const fs::path& path = entry.path();
      std::string name = path.filename().string();
      if (name.ends_with("_test.cpp")) continue;
      fs::path rel = fs::relative(path, dir);
      if (rel.begin() == rel.end() || std::next(rel.begin()) == rel.end()) continue;  // keras.hpp
      std::string module = rel.begin()->string();
      if (!table.row_of.count(module)) continue;  // reported by TableNamesEveryModule
      ModuleSet allowed = allowed_for(table, module);
      std::istringstream text(read_text(path));
      std::string line;
      int line_no = 0;
      while (std::getline(text, line)) {
        ++line_no;
        std::smatch m;
        if (!std::regex_search(line, m, include_re)) continue;
        std::string target = m[1].str();
        if (!table.row_of.count(target)) continue;  // a system or third-party path
        ++checked;
        EXPECT_TRUE(allowed.count(target))
            << fs::relative(path, kRoot).string() << ":" << line_no << " (module " << module
            << ") includes " << target << ", which docs/architecture.md's table does not allow";
      }
    }
  }
  EXPECT_GT(checked, 500) << "too few includes seen; is KERAS_SOURCE_DIR right?";
}

}  // namespace

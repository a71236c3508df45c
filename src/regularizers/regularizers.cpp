#include "keras/regularizers/regularizers.h"

#include "keras/ops/elementwise.h"
#include "keras/ops/reduce.h"

namespace keras::regularizers {

Regularizer::Regularizer(const char* name) {
  const std::string n = name;
  if (n == "l1") {
    *this = L1();
  } else if (n == "l2") {
    *this = L2();
  } else if (n == "l1_l2") {
    *this = L1L2(0.01, 0.01);
  } else {
    throw ValueError(str("Could not interpret regularizer identifier: ", n));
  }
}

Regularizer L1(double l1) {
  return Regularizer("L1",
                     [l1](const Tensor& w) { return ops::multiply(ops::sum(ops::abs(w)), l1); });
}

Regularizer L2(double l2) {
  return Regularizer("L2",
                     [l2](const Tensor& w) { return ops::multiply(ops::sum(ops::square(w)), l2); });
}

Regularizer L1L2(double l1, double l2) {
  return Regularizer("L1L2", [l1, l2](const Tensor& w) {
    return ops::add(ops::multiply(ops::sum(ops::abs(w)), l1),
                    ops::multiply(ops::sum(ops::square(w)), l2));
  });
}

}  // namespace keras::regularizers

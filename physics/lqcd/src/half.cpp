// SPDX-License-Identifier: Apache-2.0
// The vector operations of the solvers on half fields (16-bit numbers with a float norm per
// site, half.hpp), and 16-bit copies of the links. Each kernel decodes a whole site to float,
// computes, and writes the site back with its new norm; reductions accumulate in double.
#include "tessera/lqcd/spinor_algebra.hpp"

namespace tessera::lqcd {

namespace {

// op(storage index) for every interior site of a parity (functors, as spinor_algebra.hpp
// explains).
template <class Op>
struct SiteLoop {
  Geometry g;
  int parity;
  Op op;
  KOKKOS_INLINE_FUNCTION void operator()(Index n) const { op(g.interior_storage(n, parity)); }
};

template <class Op>
void for_each_site(const std::string& label, const Geometry& g, int parity, const Op& op)
{
  par_for(label, g.half_volume, SiteLoop<Op>{g, parity, op});
}

struct HalfAxpby {
  float a, b;
  HalfSpinorView x, y;
  KOKKOS_INLINE_FUNCTION void operator()(Index s) const
  {
    const Spinor<float> xs = load_spinor<float>(x, s);
    Spinor<float> ys = load_spinor<float>(y, s);
    for (int i = 0; i < 4; ++i)
      for (int j = 0; j < 3; ++j)
        ys.s[i].c[j] = a * xs.s[i].c[j] + b * ys.s[i].c[j];
    store_spinor(y, s, ys);
  }
};

// y <- x (accumulate: y <- y + x), between any two of SpinorView<double> and HalfSpinorView.
template <class From, class To, bool accumulate>
struct SiteConvert {
  From x;
  To y;
  KOKKOS_INLINE_FUNCTION void operator()(Index s) const
  {
    using XReal = typename Storage<std::conditional_t<std::is_same_v<From, HalfSpinorView>, Half, double>>::Real;
    using YReal = typename Storage<std::conditional_t<std::is_same_v<To, HalfSpinorView>, Half, double>>::Real;
    const Spinor<XReal> xs = load_spinor<XReal>(x, s);
    Spinor<YReal> ys = accumulate ? load_spinor<YReal>(y, s) : Spinor<YReal>::zero();
    for (int i = 0; i < 4; ++i)
      for (int j = 0; j < 3; ++j)
        ys.s[i].c[j] += to_complex<YReal>(xs.s[i].c[j]);
    store_spinor(y, s, ys);
  }
};

} // namespace

Kokkos::complex<double> dot(const Decomposition& d, int parity, const HalfSpinorView& a, const HalfSpinorView& b)
{
  const Geometry g = d.geometry();
  double re = 0, im = 0;
  par_reduce_many(
      "lqcd::dot_half", g.half_volume,
      KOKKOS_LAMBDA(Index n, double& r, double& i) {
        const Index s = g.interior_storage(n, parity);
        const Spinor<float> as = load_spinor<float>(a, s), bs = load_spinor<float>(b, s);
        float sr = 0, si = 0;
        for (int x = 0; x < 4; ++x)
          for (int y = 0; y < 3; ++y) {
            const auto p = conj_times(as.s[x].c[y], bs.s[x].c[y]);
            sr += p.real();
            si += p.imag();
          }
        r += static_cast<double>(sr);
        i += static_cast<double>(si);
      },
      re, im);
  return {d.comm().sum(re), d.comm().sum(im)};
}

double norm2(const Decomposition& d, int parity, const HalfSpinorView& a)
{
  const Geometry g = d.geometry();
  double sum = 0;
  par_reduce(
      "lqcd::norm2_half", g.half_volume,
      KOKKOS_LAMBDA(Index n, double& r) {
        const Index s = g.interior_storage(n, parity);
        const Spinor<float> as = load_spinor<float>(a, s);
        float site = 0;
        for (int x = 0; x < 4; ++x)
          for (int y = 0; y < 3; ++y)
            site += abs2(as.s[x].c[y]);
        r += static_cast<double>(site);
      },
      sum);
  return d.comm().sum(sum);
}

void axpby(const Decomposition& d, int parity, double alpha, const HalfSpinorView& x, double beta,
           const HalfSpinorView& y)
{
  for_each_site("lqcd::axpby_half", d.geometry(), parity,
                HalfAxpby{static_cast<float>(alpha), static_cast<float>(beta), x, y});
}

void convert_copy(const Decomposition& d, int parity, const SpinorView<double>& x, const HalfSpinorView& y)
{
  for_each_site("lqcd::convert_copy_half", d.geometry(), parity,
                SiteConvert<SpinorView<double>, HalfSpinorView, false>{x, y});
}

void convert_copy(const Decomposition& d, int parity, const HalfSpinorView& x, const SpinorView<double>& y)
{
  for_each_site("lqcd::convert_copy_half", d.geometry(), parity,
                SiteConvert<HalfSpinorView, SpinorView<double>, false>{x, y});
}

void convert_copy(const Decomposition& d, int parity, const HalfSpinorView& x, const HalfSpinorView& y)
{
  for_each_site("lqcd::convert_copy_half", d.geometry(), parity,
                SiteConvert<HalfSpinorView, HalfSpinorView, false>{x, y});
}

void add_converted(const Decomposition& d, int parity, const HalfSpinorView& x, const SpinorView<double>& y)
{
  for_each_site("lqcd::add_converted_half", d.geometry(), parity,
                SiteConvert<HalfSpinorView, SpinorView<double>, true>{x, y});
}

template <int Rows>
HalfLinkRowsView<Rows> half_links(const LinkView<double>& links)
{
  using Out = HalfLinkRowsView<Rows>;
  Out out(Rows == 3 ? "lqcd::links_half_18" : "lqcd::links_half_12", static_cast<Index>(links.extent(0)));
  par_for(
      "lqcd::half_links", static_cast<Index>(links.extent(0)), KOKKOS_LAMBDA(Index s) {
        for (int p = 0; p < 2; ++p)
          for (int mu = 0; mu < dims; ++mu)
            for (int k = 0; k < Out::pairs; ++k) {
              HalfPair pair{{0, 0}};
              for (int j = 0; j < 2; ++j) {
                const int n = 2 * k + j;
                if (n < Out::numbers) pair.w[j] = to_half(to_complex<float>(links(s, p, mu, n / 3, n % 3)), half_range);
              }
              out.q(s, p, mu, k) = pair;
            }
      });
  return out;
}

template HalfLinkRowsView<2> half_links<2>(const LinkView<double>&);
template HalfLinkRowsView<3> half_links<3>(const LinkView<double>&);

} // namespace tessera::lqcd

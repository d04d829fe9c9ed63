//! Natural logarithm and exponential for the floats that shape a run's
//! trajectory (drawn durations, order values, the buyer's choice), from
//! IEEE-754 basic operations and tables only: the same bits on every
//! platform, like `libm`, and about twice as fast where a run spends its
//! time (`docs/performance.md`).
//!
//! Both follow the table-driven method of P. T. P. Tang (and of the ARM
//! optimized routines that `musl` uses), without fused multiply-adds, which
//! not every target has and which would change bits where it is missing:
//!
//! - `log(x)`: `x = 2^k m` with `m` in `[sqrt(2)/2, sqrt(2))`; `F = j / 128`
//!   is `m` rounded to a multiple of 1/128, so `f = m - F` is exact
//!   (Sterbenz) and `log(x) = k ln 2 + ln F + log1p(f / F)`, with `ln F` from
//!   a table in two parts and `log1p(u)`, `|u| < 0.0056`, from its series to
//!   `u^7` (truncation below 0.2 ulp). `k ln 2` and the table's high part
//!   are multiples of 2^-42, so their sum is exact; near `x = 1` (`k = 0`,
//!   `F = 1`) the result is the series of the exact `f` alone.
//! - `exp(x)`: `x = (128 k + j) ln 2 / 128 + r` with `|r| <= ln 2 / 256`
//!   (Cody-Waite reduction with a split `ln 2 / 128`),
//!   `exp(x) = 2^k 2^(j/128) exp(r)`, `2^(j/128)` from a table as a double
//!   and its relative rest, `exp(r) - 1` from its series to `r^5`
//!   (truncation below 10^-18 relative).
//!
//! Accuracy: within one ulp of `libm` for every input the tests try (tens
//! of millions across the whole range: uniforms as the draws give them,
//! every binade, and around 1 and 0), and equal to it for about 19 inputs
//! in 20 (tested). Arguments outside the fast paths (`log` of zero, a
//! negative, a subnormal, infinity or NaN; `exp` beyond +-708, NaN) are
//! handed to `libm`, so the special values are its own.
//!
//! The tables were computed to 200 bits with `mpmath` and rounded to
//! nearest (`hi = round(ln(j/128) * 2^42) / 2^42`, `lo = ln(j/128) - hi`;
//! `2^(j/128)` and `2^(j/128) / round(2^(j/128)) - 1`); the tests recompute
//! every entry from `libm` and bound the difference.

/// `ln(j / 128)` for `j` in 91..=181, as a high part (a multiple of 2^-42,
/// so that adding `k * LN2_HI` is exact) and the rest, computed to 200 bits
/// and rounded (each `hi + lo` is within an ulp of `libm::log(j / 128)`; a
/// test checks it).
const LOG_F: [(u64, u64); 91] = [
    (0xbfd5d5bddf596000, 0x3d0a0b2a08a465dc),
    (0xbfd522ae0738a000, 0xbd2ebe708164c759),
    (0xbfd4718dc271c000, 0xbd306c18fb4c14c5),
    (0xbfd3c25277333000, 0xbd183b54b606bd5c),
    (0xbfd314f1e1d36000, 0x3d28e27ad3213cb8),
    (0xbfd269621134e000, 0x3d31b61f10522625),
    (0xbfd1bf99635a7000, 0x3d31ac89575c2125),
    (0xbfd1178e8227e000, 0xbd31ef78ce2d07f2),
    (0xbfd07138604d6000, 0x3d3e76324e912b17),
    (0xbfcf991c6cb3c000, 0x3d390d04cd7cc834),
    (0xbfce530effe72000, 0x3d3fdbdbb13f7c18),
    (0xbfcd1037f2656000, 0x3d084a7e75b6f6e4),
    (0xbfcbd087383be000, 0x3d2d4bc4595412b6),
    (0xbfca93ed3c8ae000, 0x3d28724350562169),
    (0xbfc95a5adcf70000, 0xbd07f22858a0ff6f),
    (0xbfc823c16551a000, 0xbd1e0ddb9a631e83),
    (0xbfc6f0128b756000, 0xbd3577390d31ef0f),
    (0xbfc5bf406b544000, 0x3d127023eb68981c),
    (0xbfc4913d8333c000, 0x3d353e43558124c4),
    (0xbfc365fcb015a000, 0x3d3fd3a0afb9691b),
    (0xbfc23d712a49c000, 0xbd100d238fd3df5c),
    (0xbfc1178e8227e000, 0xbd21ef78ce2d07f2),
    (0xbfbfe89139dbc000, 0xbd356594d82f7a82),
    (0xbfbda72763844000, 0xbd1a89401fa71733),
    (0xbfbb6ac88dad4000, 0xbd3b1bdff50225c7),
    (0xbfb9335e5d594000, 0xbd23115c3abd47da),
    (0xbfb700d30aeac000, 0xbcec1e8da99ded32),
    (0xbfb4d3115d208000, 0x3cf53a2582f4e1ef),
    (0xbfb2aa04a4470000, 0xbd37a48ba8b1cb41),
    (0xbfb08598b59e4000, 0x3d17e5dd7009902c),
    (0xbfaccb73cddd8000, 0xbd3965c36e09f5fe),
    (0xbfa894aa149f8000, 0xbd39a19a8be97661),
    (0xbfa466aed42e0000, 0x3d2c167375bdfd28),
    (0xbfa0415d89e78000, 0x3d3dddc7f461c516),
    (0xbf98492528c90000, 0x3d2aa0ba325a0c34),
    (0xbf90205658930000, 0xbd3611d27c8e8417),
    (0xbf80101575880000, 0xbd3bce251998b506),
    (0x0000000000000000, 0x0000000000000000),
    (0x3f7fe02a6b100000, 0x3d19e23f0dda40e4),
    (0x3f8fc0a8b0fc0000, 0x3cdf1e7cf6d3a69c),
    (0x3f97b91b07d60000, 0xbd33b955b602ace4),
    (0x3f9f829b0e780000, 0x3d2980267c7e09e4),
    (0x3fa39e87b9fe8000, 0x3d3eafd480ad9015),
    (0x3fa77458f6330000, 0xbd3181dce586af09),
    (0x3fab42dd71198000, 0xbd1c827ae5d6704c),
    (0x3faf0a30c0118000, 0xbd2d599e83368e91),
    (0x3fb16536eea38000, 0xbd147c5e768fa309),
    (0x3fb341d7961bc000, 0x3d31d09299837610),
    (0x3fb51b073f060000, 0x3d383f69278e686a),
    (0x3fb6f0d28ae58000, 0xbd34b4641b664613),
    (0x3fb8c345d6318000, 0x3d3b20f5acb42a66),
    (0x3fba926d3a4ac000, 0x3d3563650bd22a9c),
    (0x3fbc5e548f5bc000, 0x3d1d0c57585fbe06),
    (0x3fbe27076e2b0000, 0xbd2a342c2af0003c),
    (0x3fbfec9131dc0000, 0xbd354555d1ae6607),
    (0x3fc0d77e7cd08000, 0x3d3cb2cd2ee2f482),
    (0x3fc1b72ad52f6000, 0x3d2e80a41811a396),
    (0x3fc29552f8200000, 0xbd35b967f4471dfc),
    (0x3fc371fc201e8000, 0x3d3ee8779b2d8abc),
    (0x3fc44d2b6ccb8000, 0xbd170cc16135783c),
    (0x3fc526e5e3a1c000, 0xbd3790ba37fc5238),
    (0x3fc5ff3070a7a000, 0xbd38586f183bebf2),
    (0x3fc6d60fe719e000, 0xbd3bc6e557134767),
    (0x3fc7ab890210e000, 0xbd2bdb9072534a58),
    (0x3fc87fa06520c000, 0x3d322120401202fc),
    (0x3fc9525a9cf46000, 0xbd3297137d9f158f),
    (0x3fca23bc1fe2c000, 0xbd3539cd91dc9f0b),
    (0x3fcaf3c94e80c000, 0xbcba4e633fcd9066),
    (0x3fcbc286742d8000, 0x3d39ac53f39d121c),
    (0x3fcc8ff7c79aa000, 0xbd27794f689f8434),
    (0x3fcd5c216b4fc000, 0xbd21ba91bbca681b),
    (0x3fce27076e2b0000, 0xbd3a342c2af0003c),
    (0x3fcef0adcbdc6000, 0xbd2b26b79c86af24),
    (0x3fcfb9186d5e4000, 0xbd0d572aab993c87),
    (0x3fd0402594b4d000, 0x3cf036b89ef42d7f),
    (0x3fd0a324e2739000, 0x3d0c6bee7ef4030e),
    (0x3fd1058bf9ae5000, 0xbd34ab9d817d52cd),
    (0x3fd1675cababa000, 0x3d38380e731f55c4),
    (0x3fd1c898c169a000, 0xbd381410e5c62aff),
    (0x3fd22941fbcf8000, 0xbd3a6976f5eb0963),
    (0x3fd2895a13de8000, 0x3d3a8d7ad24c13f0),
    (0x3fd2e8e2bae12000, 0xbd267b1e99b72bd8),
    (0x3fd347dd9a988000, 0xbd25594dd4c58092),
    (0x3fd3a64c55694000, 0x3d37a71cbcd735d0),
    (0x3fd404308686a000, 0x3d3f8ef43049f7d3),
    (0x3fd4618bc21c6000, 0xbd13d82f484c84cc),
    (0x3fd4be5f95778000, 0xbd3d7c92cd9ad824),
    (0x3fd51aad872e0000, 0xbd3f4bd8db0a7cc1),
    (0x3fd5767717456000, 0xbd364ead9524d7ca),
    (0x3fd5d1bdbf581000, 0xbd38d6bdc9c7c238),
    (0x3fd62c82f2b9c000, 0x3d3e54bdbd7c8a98),
];

/// For `j` in 0..128: the bits of `2^(j / 128)` rounded, less `j << 45` (so
/// that adding `n << 45` for `n = 128 k + j` gives the bits of
/// `2^k * 2^(j / 128)`), and the relative rest `2^(j / 128) / rounded - 1`;
/// computed to 200 bits.
const EXP_T: [(u64, u64); 128] = [
    (0x3ff0000000000000, 0x0000000000000000),
    (0x3feff63da9fb3335, 0x3c9b3b4f1a88bf6e),
    (0x3fefec9a3e778061, 0xbc7160139cd8dc5d),
    (0x3fefe315e86e7f85, 0xbc905e7a108766d1),
    (0x3fefd9b0d3158574, 0x3c8cd2523567f613),
    (0x3fefd06b29ddf6de, 0xbc8bce8023f98efa),
    (0x3fefc74518759bc8, 0x3c60f74e61e6c861),
    (0x3fefbe3ecac6f383, 0x3c90a3e45b33d399),
    (0x3fefb5586cf9890f, 0x3c979aa65d837b6d),
    (0x3fefac922b7247f7, 0x3c8eb51a92fdeffc),
    (0x3fefa3ec32d3d1a2, 0x3c3ebe3d702f9cd1),
    (0x3fef9b66affed31b, 0xbc6a033489906e0b),
    (0x3fef9301d0125b51, 0xbc9556522a2fbd0e),
    (0x3fef8abdc06c31cc, 0xbc5080ef8c4eea55),
    (0x3fef829aaea92de0, 0xbc91c923b9d5f416),
    (0x3fef7a98c8a58e51, 0x3c80d3e3e95c55af),
    (0x3fef72b83c7d517b, 0xbc801b15eaa59348),
    (0x3fef6af9388c8dea, 0xbc8f1ff055de323d),
    (0x3fef635beb6fcb75, 0x3c8b898c3f1353bf),
    (0x3fef5be084045cd4, 0xbc96d99c7611eb26),
    (0x3fef54873168b9aa, 0x3c9aecf73e3a2f60),
    (0x3fef4d5022fcd91d, 0xbc8fe782cb86389d),
    (0x3fef463b88628cd6, 0x3c8a6f4144a6c38d),
    (0x3fef3f49917ddc96, 0x3c807a05b0e4047d),
    (0x3fef387a6e756238, 0x3c968efde3a8a894),
    (0x3fef31ce4fb2a63f, 0x3c875e18f274487d),
    (0x3fef2b4565e27cdd, 0x3c80472b981fe7f2),
    (0x3fef24dfe1f56381, 0xbc96b87b3f71085e),
    (0x3fef1e9df51fdee1, 0x3c82f7e16d09ab31),
    (0x3fef187fd0dad990, 0xbc3d219b1a6fbffa),
    (0x3fef1285a6e4030b, 0x3c8b3782720c0ab4),
    (0x3fef0cafa93e2f56, 0x3c6e149289cecb8f),
    (0x3fef06fe0a31b715, 0x3c834d754db0abb6),
    (0x3fef0170fc4cd831, 0x3c864201e2ac744c),
    (0x3feefc08b26416ff, 0x3c8fdd395dd3f84a),
    (0x3feef6c55f929ff1, 0xbc86a3803b8e5b04),
    (0x3feef1a7373aa9cb, 0xbc924aedcc4b5068),
    (0x3feeecae6d05d866, 0xbc9907f81b512d8e),
    (0x3feee7db34e59ff7, 0xbc71d1e83e9436d2),
    (0x3feee32dc313a8e5, 0xbc991919b3ce1b15),
    (0x3feedea64c123422, 0x3c859f48a72a4c6d),
    (0x3feeda4504ac801c, 0xbc9312607a28698a),
    (0x3feed60a21f72e2a, 0xbc58a78f4817895b),
    (0x3feed1f5d950a897, 0xbc7c2c9b67499a1b),
    (0x3feece086061892d, 0x3c4363ed60c2ac11),
    (0x3feeca41ed1d0057, 0x3c9666093b0664ef),
    (0x3feec6a2b5c13cd0, 0x3c6ecce1daa10379),
    (0x3feec32af0d7d3de, 0x3c93ff8e3f0f1230),
    (0x3feebfdad5362a27, 0x3c7690cebb7aafb0),
    (0x3feebcb299fddd0d, 0x3c931dbdeb54e077),
    (0x3feeb9b2769d2ca7, 0xbc8f94340071a38e),
    (0x3feeb6daa2cf6642, 0xbc87deccdc93a349),
    (0x3feeb42b569d4f82, 0xbc78dec6bd0f385f),
    (0x3feeb1a4ca5d920f, 0xbc861246ec7b5cf6),
    (0x3feeaf4736b527da, 0x3c93350518fdd78e),
    (0x3feead12d497c7fd, 0x3c7b98b72f8a9b05),
    (0x3feeab07dd485429, 0x3c9063e1e21c5409),
    (0x3feea9268a5946b7, 0x3c34c7855019c6ea),
    (0x3feea76f15ad2148, 0x3c9432e62b64c035),
    (0x3feea5e1b976dc09, 0xbc8ce44a6199769f),
    (0x3feea47eb03a5585, 0xbc8c33c53bef4da8),
    (0x3feea34634ccc320, 0xbc845378892be9ae),
    (0x3feea23882552225, 0xbc93cedd78565858),
    (0x3feea155d44ca973, 0x3c5710aa807e1964),
    (0x3feea09e667f3bcd, 0xbc93b3efbf5e2228),
    (0x3feea012750bdabf, 0xbc6a12ad8734b982),
    (0x3fee9fb23c651a2f, 0xbc6367efb86da9ee),
    (0x3fee9f7df9519484, 0xbc80dc3d54e08851),
    (0x3fee9f75e8ec5f74, 0xbc781f647e5a3ecf),
    (0x3fee9f9a48a58174, 0xbc86ee4ac08b7db0),
    (0x3fee9feb564267c9, 0xbc8619321e55e68a),
    (0x3feea0694fde5d3f, 0x3c909ccb5e09d4d3),
    (0x3feea11473eb0187, 0xbc7b32dcb94da51d),
    (0x3feea1ed0130c132, 0x3c94ecfd5467c06b),
    (0x3feea2f336cf4e62, 0x3c65ebe1abd66c55),
    (0x3feea427543e1a12, 0xbc88a1c52fb3cf42),
    (0x3feea589994cce13, 0xbc9369b6f13b3734),
    (0x3feea71a4623c7ad, 0xbc805e843a19ff1e),
    (0x3feea8d99b4492ed, 0xbc94d450d872576e),
    (0x3feeaac7d98a6699, 0x3c90ad675b0e8a00),
    (0x3feeace5422aa0db, 0x3c8db72fc1f0eab4),
    (0x3feeaf3216b5448c, 0xbc65b6609cc5e7ff),
    (0x3feeb1ae99157736, 0x3c7bf68359f35f44),
    (0x3feeb45b0b91ffc6, 0xbc93091fa71e3d83),
    (0x3feeb737b0cdc5e5, 0xbc5da9b88b6c1e29),
    (0x3feeba44cbc8520f, 0xbc6c23f97c90b959),
    (0x3feebd829fde4e50, 0xbc92434322f4f9aa),
    (0x3feec0f170ca07ba, 0xbc85ca6cd7668e4b),
    (0x3feec49182a3f090, 0x3c71affc2b91ce27),
    (0x3feec86319e32323, 0x3c6dd235e10a73bb),
    (0x3feecc667b5de565, 0xbc87c50422622263),
    (0x3feed09bec4a2d33, 0x3c8b1c86e3e231d5),
    (0x3feed503b23e255d, 0xbc91bbd1d3bcbb15),
    (0x3feed99e1330b358, 0x3c90cc319cee31d2),
    (0x3feede6b5579fdbf, 0x3c8469846e735ab3),
    (0x3feee36bbfd3f37a, 0xbc82dfcd978e9db4),
    (0x3feee89f995ad3ad, 0x3c8c1a7792cb3387),
    (0x3feeee07298db666, 0xbc907b8f4ad1d9fa),
    (0x3feef3a2b84f15fb, 0xbc55c3d956dcaeba),
    (0x3feef9728de5593a, 0xbc90a40e3da6f640),
    (0x3feeff76f2fb5e47, 0xbc68d6f438ad9334),
    (0x3fef05b030a1064a, 0xbc91eee26b588a35),
    (0x3fef0c1e904bc1d2, 0x3c74ffd70a5fddcd),
    (0x3fef12c25bd71e09, 0xbc91bdfbfa9298ac),
    (0x3fef199bdd85529c, 0x3c736eae30af0cb3),
    (0x3fef20ab5fffd07a, 0x3c8ee3325c9ffd94),
    (0x3fef27f12e57d14b, 0x3c84e08fd10959ac),
    (0x3fef2f6d9406e7b5, 0x3c63cdaf384e1a67),
    (0x3fef3720dcef9069, 0x3c676b2c6c921968),
    (0x3fef3f0b555dc3fa, 0xbc808a1883ccb5d2),
    (0x3fef472d4a07897c, 0xbc8fad5d3ffffa6f),
    (0x3fef4f87080d89f2, 0xbc900dae3875a949),
    (0x3fef5818dcfba487, 0x3c74a385a63d07a7),
    (0x3fef60e316c98398, 0xbc82919e2040220f),
    (0x3fef69e603db3285, 0x3c8e5a50d5c192ac),
    (0x3fef7321f301b460, 0x3c843a59ac016b4b),
    (0x3fef7c97337b9b5f, 0xbc82d52107b43e1f),
    (0x3fef864614f5a129, 0xbc892ab93b470dc9),
    (0x3fef902ee78b3ff6, 0x3c74b604603a88d3),
    (0x3fef9a51fbc74c83, 0x3c83c5ec519d7271),
    (0x3fefa4afa2a490da, 0xbc8ff7128fd391f0),
    (0x3fefaf482d8e67f1, 0xbc8dae98e223747d),
    (0x3fefba1bee615a27, 0x3c8ec3bc41aa2008),
    (0x3fefc52b376bba97, 0x3c842b94c3a9eb32),
    (0x3fefd0765b6e4540, 0x3c8a64a931d185ee),
    (0x3fefdbfdad9cbe14, 0xbc8e37bae43be3ed),
    (0x3fefe7c1819e90d8, 0x3c77893b4d91cd9d),
    (0x3feff3c22b8f71f1, 0x3c5305c14160cc89),
];

/// `ln 2` split: a multiple of 2^-42 (so `k * LN2_HI` is exact for every
/// binade) and the rest.
const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fefa_3800);
const LN2_LO: f64 = f64::from_bits(0x3d2e_f357_93c7_6730);

/// `ln 2 / 128` split: 35 significant bits (so `n * LN2_BY_128_HI` is exact
/// for every `n` a finite result needs) and the rest.
const LN2_BY_128_HI: f64 = f64::from_bits(0x3f76_2e42_fefc_0000);
const LN2_BY_128_LO: f64 = f64::from_bits(0xbd3c_610c_a86c_3899);

/// `128 / ln 2`.
const INV_LN2_BY_128: f64 = f64::from_bits(0x4067_1547_652b_82fe);

/// `1.5 * 2^52`: adding it rounds a float below 2^51 to an integer, which
/// its low bits then hold.
const ROUND_SHIFT: f64 = f64::from_bits(0x4338_0000_0000_0000);

/// `128 / j` for `j` in 91..=181, correctly rounded (IEEE division).
const INV_F: [f64; 91] = {
    let mut table = [0.0; 91];
    let mut index = 0;
    while index < 91 {
        table[index] = 128.0 / (91 + index) as f64;
        index += 1;
    }
    table
};

/// The natural logarithm of `x`, within one ulp of `libm::log` (see the
/// module documentation).
#[inline]
pub fn log(x: f64) -> f64 {
    const SMALLEST_NORMAL_BITS: u64 = 0x0010_0000_0000_0000;
    const INFINITY_BITS: u64 = 0x7ff0_0000_0000_0000;
    let bits = x.to_bits();
    // Zero, negatives, subnormals, infinity and NaN: libm's answers.
    if bits.wrapping_sub(SMALLEST_NORMAL_BITS) >= INFINITY_BITS - SMALLEST_NORMAL_BITS {
        return libm::log(x);
    }
    // x = 2^k m with m in [sqrt(2)/2, sqrt(2)): the exponent is moved so
    // that m's high word starts at that of sqrt(2)/2.
    const SQRT_HALF_HIGH: u64 = 0x3fe6_a09e_0000_0000;
    let shifted = bits.wrapping_add(0x3ff0_0000_0000_0000 - SQRT_HALF_HIGH);
    let k = (shifted >> 52) as i64 - 1023;
    let m = f64::from_bits((shifted & 0x000f_ffff_ffff_ffff) + SQRT_HALF_HIGH);
    // j = m * 128 rounded (91..=181); F = j / 128 and f = m - F, exactly.
    let rounded = m * 128.0 + ROUND_SHIFT;
    let index = (rounded.to_bits() & 0xff) as usize - 91;
    let f = m - (rounded - ROUND_SHIFT) * (1.0 / 128.0);
    let u = f * INV_F[index];
    let (log_f_hi, log_f_lo) = LOG_F[index];
    let (log_f_hi, log_f_lo) = (f64::from_bits(log_f_hi), f64::from_bits(log_f_lo));
    let k = k as f64;
    // log1p(u) = u - u^2/2 + u^3 (1/3 - u/4 + u^2/5 - u^3/6 + u^4/7) + ...
    let u2 = u * u;
    let series = (1.0 / 3.0 - 0.25 * u) + u2 * (0.2 - (1.0 / 6.0) * u) + (u2 * u2) * (1.0 / 7.0);
    let low = (k * LN2_LO + log_f_lo) + u2 * (u * series - 0.5);
    (k * LN2_HI + log_f_hi) + (u + low)
}

/// `e^x`, within one ulp of `libm::exp` (see the module documentation).
#[inline]
pub fn exp(x: f64) -> f64 {
    // Overflow, underflow to subnormals and NaN: libm's answers.
    if x.is_nan() || x.abs() > 708.0 {
        return libm::exp(x);
    }
    // n = x * 128 / ln 2 rounded; x = n ln 2 / 128 + r.
    let rounded = x * INV_LN2_BY_128 + ROUND_SHIFT;
    let n_bits = rounded.to_bits();
    let n = rounded - ROUND_SHIFT;
    let r = x - n * LN2_BY_128_HI - n * LN2_BY_128_LO;
    // n = 128 k + j: the table's bits for 2^(j/128), with k added to the
    // exponent (the shift drops the bits above n's).
    let (table_bits, rest) = EXP_T[(n_bits % 128) as usize];
    let scale = f64::from_bits(table_bits.wrapping_add(n_bits << 45));
    // exp(r) - 1 = r + r^2/2 + r^3/6 + r^4/24 + r^5/120 + ..., and the
    // table's relative rest.
    let r2 = r * r;
    let series = f64::from_bits(rest)
        + r
        + r2 * (0.5 + r * (1.0 / 6.0))
        + (r2 * r2) * (1.0 / 24.0 + r * (1.0 / 120.0));
    scale + scale * series
}

#[cfg(test)]
mod tests {
    use super::*;

    /// How many representable doubles lie between `a` and `b`.
    fn ulps_apart(a: f64, b: f64) -> u64 {
        let ordered = |x: f64| {
            let bits = x.to_bits() as i64;
            if bits < 0 { i64::MIN - bits } else { bits }
        };
        (ordered(a) - ordered(b)).unsigned_abs()
    }

    /// A fixed sequence of 64-bit words (xorshift), so the inputs tried are
    /// the same on every run.
    fn words(seed: u64) -> impl Iterator<Item = u64> {
        let mut state = seed;
        std::iter::repeat_with(move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        })
    }

    /// The largest ulp distance from libm over `inputs`, and how many differ.
    fn against_libm(
        inputs: impl Iterator<Item = f64>,
        ours: fn(f64) -> f64,
        theirs: fn(f64) -> f64,
    ) -> (u64, usize, usize) {
        let (mut worst, mut differing, mut count) = (0, 0, 0);
        for x in inputs {
            let distance = ulps_apart(ours(x), theirs(x));
            worst = worst.max(distance);
            differing += usize::from(distance > 0);
            count += 1;
        }
        (worst, differing, count)
    }

    #[test]
    fn log_is_within_one_ulp_of_libm_everywhere_and_equal_to_it_mostly() {
        let inputs = words(0x9e37_79b9_7f4a_7c15)
            .take(2_000_000)
            .enumerate()
            .map(|(index, word)| {
                match index % 4 {
                    // 1 - u for a 53-bit uniform u, as an exponential draw takes it.
                    0 => 1.0 - (word >> 11) as f64 * (1.0 / (1u64 << 53) as f64),
                    // Every binade of the normal numbers.
                    1 => f64::from_bits(
                        (word & 0x000f_ffff_ffff_ffff) | ((word >> 52) % 2046 + 1) << 52,
                    ),
                    // Around 1, where the result is small.
                    2 => 1.0 + ((word >> 11) as f64 * (1.0 / (1u64 << 53) as f64) - 0.5) / 16.0,
                    // A 32-bit uniform at the middle of its cell.
                    _ => ((word >> 32) as f64 + 0.5) * (1.0 / 4_294_967_296.0),
                }
            });
        let (worst, differing, count) = against_libm(inputs, log, libm::log);
        assert!(worst <= 1, "{worst} ulps");
        assert!(
            differing * 10 < count,
            "{differing} of {count} differ from libm"
        );
    }

    #[test]
    fn exp_is_within_one_ulp_of_libm_everywhere_and_equal_to_it_mostly() {
        let inputs = words(0x2545_f491_4f6c_dd1d)
            .take(2_000_000)
            .enumerate()
            .map(|(index, word)| {
                let unit = (word >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
                match index % 3 {
                    // The whole range of the fast path.
                    0 => (unit - 0.5) * 1_416.0,
                    // A log-normal's sigma times a normal draw.
                    1 => (unit - 0.5) * 40.0,
                    // The logit's differences of utilities, never positive.
                    _ => -unit * 50.0,
                }
            });
        let (worst, differing, count) = against_libm(inputs, exp, libm::exp);
        assert!(worst <= 1, "{worst} ulps");
        assert!(
            differing * 5 < count,
            "{differing} of {count} differ from libm"
        );
    }

    #[test]
    fn special_values_are_libms() {
        for x in [
            0.0,
            -0.0,
            -1.0,
            f64::INFINITY,
            f64::NAN,
            f64::MIN_POSITIVE / 4.0,
        ] {
            assert_eq!(log(x).to_bits(), libm::log(x).to_bits(), "log({x})");
        }
        assert_eq!(log(1.0), 0.0);
        for x in [
            0.0,
            709.0,
            -709.0,
            1_000.0,
            -1_000.0,
            f64::NEG_INFINITY,
            f64::NAN,
        ] {
            assert_eq!(exp(x).to_bits(), libm::exp(x).to_bits(), "exp({x})");
        }
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(exp(708.0), libm::exp(708.0));
    }

    #[test]
    fn the_tables_are_the_logarithms_and_powers_they_name() {
        for (index, &(hi, lo)) in LOG_F.iter().enumerate() {
            let (hi, lo) = (f64::from_bits(hi), f64::from_bits(lo));
            let f = (91 + index) as f64 / 128.0;
            assert_eq!(
                (hi * (1u64 << 42) as f64).fract(),
                0.0,
                "hi of {f} on the 2^-42 grid"
            );
            assert!(lo.abs() <= 1.0 / (1u64 << 43) as f64, "lo of {f}");
            assert!(ulps_apart(hi + lo, libm::log(f)) <= 1, "log({f})");
            assert_eq!(INV_F[index], 1.0 / f);
        }
        for (index, &(bits, rest)) in EXP_T.iter().enumerate() {
            let power = f64::from_bits(bits + ((index as u64) << 45));
            let exact = libm::exp2(index as f64 / 128.0);
            assert!(ulps_apart(power, exact) <= 1, "2^({index}/128)");
            assert!(
                f64::from_bits(rest).abs() <= f64::EPSILON,
                "rest of 2^({index}/128)"
            );
        }
        assert!(ulps_apart(LN2_HI + LN2_LO, std::f64::consts::LN_2) <= 1);
        assert!(
            ulps_apart(
                (LN2_BY_128_HI + LN2_BY_128_LO) * 128.0,
                std::f64::consts::LN_2
            ) <= 1
        );
    }
}

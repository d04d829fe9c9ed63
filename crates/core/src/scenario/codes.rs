//! Country and payment-method codes.
//!
//! Countries are ISO 3166-1 alpha-2 codes, checked against the official list
//! so that a typo (`"CHN"`, `"Cn"`, `"XX"`) is an error rather than a country
//! nobody trades with. A country is stored as two bytes, and a set of
//! countries as a 26x26 bitset, so the per-order eligibility check is one
//! bit test.

use serde::Deserialize;
use std::fmt;

/// The officially assigned ISO 3166-1 alpha-2 codes.
const ISO_3166_ALPHA2: &[&str] = &[
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
    "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
    "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
    "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE",
    "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF",
    "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
    "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM",
    "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC",
    "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
    "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA",
    "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG",
    "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
    "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS",
    "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO",
    "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",
];

/// An ISO 3166-1 alpha-2 country code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Country([u8; 2]);

impl Country {
    /// The code if it is an assigned ISO 3166-1 alpha-2 code.
    pub fn from_code(code: &str) -> Option<Country> {
        if ISO_3166_ALPHA2.binary_search(&code).is_ok() {
            let bytes = code.as_bytes();
            Some(Country([bytes[0], bytes[1]]))
        } else {
            None
        }
    }

    pub fn as_str(&self) -> &str {
        // Only constructed from ASCII codes of the list above.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }

    /// Dense index in 0..676, for bitsets.
    fn index(self) -> usize {
        usize::from(self.0[0] - b'A') * 26 + usize::from(self.0[1] - b'A')
    }
}

impl fmt::Display for Country {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Country {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        Country::from_code(&code).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "unknown country {code:?}: expected an ISO 3166-1 alpha-2 code such as \"CN\" or \"IN\""
            ))
        })
    }
}

/// A country as its code, as scenario files write it (and as a saved
/// simulation state keeps it).
impl serde::Serialize for Country {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// A set of countries as a bitset over all two-letter codes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CountrySet {
    bits: [u64; 11],
}

impl CountrySet {
    pub fn from_countries(countries: &[Country]) -> CountrySet {
        let mut set = CountrySet::default();
        for &country in countries {
            set.insert(country);
        }
        set
    }

    pub fn insert(&mut self, country: Country) {
        let index = country.index();
        self.bits[index / 64] |= 1 << (index % 64);
    }

    pub fn contains(&self, country: Country) -> bool {
        let index = country.index();
        self.bits[index / 64] & (1 << (index % 64)) != 0
    }
}

/// Payment methods a buyer may pay with. Only covered methods make an order covered.
#[derive(
    Clone, Copy, Debug, Deserialize, serde::Serialize, PartialEq, Eq, PartialOrd, Ord, Hash,
)]
pub enum PaymentMethod {
    /// Telegraphic (wire) transfer; the only covered method at launch.
    TT,
    /// Credit or debit card.
    Card,
    /// Electronic cheque.
    ECheck,
    /// Buy now, pay later.
    PayLater,
    /// Deposit now, balance within 30/60 days.
    PaymentTerms,
}

impl PaymentMethod {
    pub const ALL: [PaymentMethod; 5] = [
        PaymentMethod::TT,
        PaymentMethod::Card,
        PaymentMethod::ECheck,
        PaymentMethod::PayLater,
        PaymentMethod::PaymentTerms,
    ];

    pub fn key(self) -> &'static str {
        match self {
            PaymentMethod::TT => "TT",
            PaymentMethod::Card => "Card",
            PaymentMethod::ECheck => "ECheck",
            PaymentMethod::PayLater => "PayLater",
            PaymentMethod::PaymentTerms => "PaymentTerms",
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// A set of payment methods as a bitmask.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PaymentMethodSet(u8);

impl PaymentMethodSet {
    pub fn from_methods(methods: &[PaymentMethod]) -> PaymentMethodSet {
        PaymentMethodSet(methods.iter().fold(0, |bits, method| bits | method.bit()))
    }

    pub fn contains(self, method: PaymentMethod) -> bool {
        self.0 & method.bit() != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_list_is_sorted_so_binary_search_is_valid() {
        assert!(ISO_3166_ALPHA2.windows(2).all(|pair| pair[0] < pair[1]));
        assert_eq!(ISO_3166_ALPHA2.len(), 249);
    }

    #[test]
    fn only_assigned_upper_case_codes_are_countries() {
        assert!(Country::from_code("CN").is_some());
        assert!(Country::from_code("IN").is_some());
        for bad in ["cn", "CHN", "XX", "", "C", "ZZ"] {
            assert!(Country::from_code(bad).is_none(), "{bad} accepted");
        }
    }

    #[test]
    fn country_sets_hold_exactly_their_members() {
        let china = Country::from_code("CN").unwrap();
        let india = Country::from_code("IN").unwrap();
        let zimbabwe = Country::from_code("ZW").unwrap();
        let set = CountrySet::from_countries(&[china, zimbabwe]);
        assert!(set.contains(china) && set.contains(zimbabwe));
        assert!(!set.contains(india));
    }

    #[test]
    fn payment_method_sets_hold_exactly_their_members() {
        let set = PaymentMethodSet::from_methods(&[PaymentMethod::TT, PaymentMethod::PaymentTerms]);
        assert!(set.contains(PaymentMethod::TT));
        assert!(set.contains(PaymentMethod::PaymentTerms));
        assert!(!set.contains(PaymentMethod::Card));
    }
}

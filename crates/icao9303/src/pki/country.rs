//! Country codes: ISO 3166-1 alpha-3 (as in the MRZ issuing state) to alpha-2 (as in a CSCA's `C=`),
//! with the ICAO 9303-3 specials (D for Germany, UTO test code, GBD/GBN/GBO/GBP/GBS British nationals).

/// ISO 3166-1 alpha-3 → alpha-2, all officially assigned codes, sorted by alpha-3 (from the Debian
/// iso-codes table).
pub const ISO3166_ALPHA3_TO_ALPHA2: &[(&str, &str)] = &[
    ("ABW", "AW"), ("AFG", "AF"), ("AGO", "AO"), ("AIA", "AI"), ("ALA", "AX"), ("ALB", "AL"), ("AND", "AD"), ("ARE", "AE"),
    ("ARG", "AR"), ("ARM", "AM"), ("ASM", "AS"), ("ATA", "AQ"), ("ATF", "TF"), ("ATG", "AG"), ("AUS", "AU"), ("AUT", "AT"),
    ("AZE", "AZ"), ("BDI", "BI"), ("BEL", "BE"), ("BEN", "BJ"), ("BES", "BQ"), ("BFA", "BF"), ("BGD", "BD"), ("BGR", "BG"),
    ("BHR", "BH"), ("BHS", "BS"), ("BIH", "BA"), ("BLM", "BL"), ("BLR", "BY"), ("BLZ", "BZ"), ("BMU", "BM"), ("BOL", "BO"),
    ("BRA", "BR"), ("BRB", "BB"), ("BRN", "BN"), ("BTN", "BT"), ("BVT", "BV"), ("BWA", "BW"), ("CAF", "CF"), ("CAN", "CA"),
    ("CCK", "CC"), ("CHE", "CH"), ("CHL", "CL"), ("CHN", "CN"), ("CIV", "CI"), ("CMR", "CM"), ("COD", "CD"), ("COG", "CG"),
    ("COK", "CK"), ("COL", "CO"), ("COM", "KM"), ("CPV", "CV"), ("CRI", "CR"), ("CUB", "CU"), ("CUW", "CW"), ("CXR", "CX"),
    ("CYM", "KY"), ("CYP", "CY"), ("CZE", "CZ"), ("DEU", "DE"), ("DJI", "DJ"), ("DMA", "DM"), ("DNK", "DK"), ("DOM", "DO"),
    ("DZA", "DZ"), ("ECU", "EC"), ("EGY", "EG"), ("ERI", "ER"), ("ESH", "EH"), ("ESP", "ES"), ("EST", "EE"), ("ETH", "ET"),
    ("FIN", "FI"), ("FJI", "FJ"), ("FLK", "FK"), ("FRA", "FR"), ("FRO", "FO"), ("FSM", "FM"), ("GAB", "GA"), ("GBR", "GB"),
    ("GEO", "GE"), ("GGY", "GG"), ("GHA", "GH"), ("GIB", "GI"), ("GIN", "GN"), ("GLP", "GP"), ("GMB", "GM"), ("GNB", "GW"),
    ("GNQ", "GQ"), ("GRC", "GR"), ("GRD", "GD"), ("GRL", "GL"), ("GTM", "GT"), ("GUF", "GF"), ("GUM", "GU"), ("GUY", "GY"),
    ("HKG", "HK"), ("HMD", "HM"), ("HND", "HN"), ("HRV", "HR"), ("HTI", "HT"), ("HUN", "HU"), ("IDN", "ID"), ("IMN", "IM"),
    ("IND", "IN"), ("IOT", "IO"), ("IRL", "IE"), ("IRN", "IR"), ("IRQ", "IQ"), ("ISL", "IS"), ("ISR", "IL"), ("ITA", "IT"),
    ("JAM", "JM"), ("JEY", "JE"), ("JOR", "JO"), ("JPN", "JP"), ("KAZ", "KZ"), ("KEN", "KE"), ("KGZ", "KG"), ("KHM", "KH"),
    ("KIR", "KI"), ("KNA", "KN"), ("KOR", "KR"), ("KWT", "KW"), ("LAO", "LA"), ("LBN", "LB"), ("LBR", "LR"), ("LBY", "LY"),
    ("LCA", "LC"), ("LIE", "LI"), ("LKA", "LK"), ("LSO", "LS"), ("LTU", "LT"), ("LUX", "LU"), ("LVA", "LV"), ("MAC", "MO"),
    ("MAF", "MF"), ("MAR", "MA"), ("MCO", "MC"), ("MDA", "MD"), ("MDG", "MG"), ("MDV", "MV"), ("MEX", "MX"), ("MHL", "MH"),
    ("MKD", "MK"), ("MLI", "ML"), ("MLT", "MT"), ("MMR", "MM"), ("MNE", "ME"), ("MNG", "MN"), ("MNP", "MP"), ("MOZ", "MZ"),
    ("MRT", "MR"), ("MSR", "MS"), ("MTQ", "MQ"), ("MUS", "MU"), ("MWI", "MW"), ("MYS", "MY"), ("MYT", "YT"), ("NAM", "NA"),
    ("NCL", "NC"), ("NER", "NE"), ("NFK", "NF"), ("NGA", "NG"), ("NIC", "NI"), ("NIU", "NU"), ("NLD", "NL"), ("NOR", "NO"),
    ("NPL", "NP"), ("NRU", "NR"), ("NZL", "NZ"), ("OMN", "OM"), ("PAK", "PK"), ("PAN", "PA"), ("PCN", "PN"), ("PER", "PE"),
    ("PHL", "PH"), ("PLW", "PW"), ("PNG", "PG"), ("POL", "PL"), ("PRI", "PR"), ("PRK", "KP"), ("PRT", "PT"), ("PRY", "PY"),
    ("PSE", "PS"), ("PYF", "PF"), ("QAT", "QA"), ("REU", "RE"), ("ROU", "RO"), ("RUS", "RU"), ("RWA", "RW"), ("SAU", "SA"),
    ("SDN", "SD"), ("SEN", "SN"), ("SGP", "SG"), ("SGS", "GS"), ("SHN", "SH"), ("SJM", "SJ"), ("SLB", "SB"), ("SLE", "SL"),
    ("SLV", "SV"), ("SMR", "SM"), ("SOM", "SO"), ("SPM", "PM"), ("SRB", "RS"), ("SSD", "SS"), ("STP", "ST"), ("SUR", "SR"),
    ("SVK", "SK"), ("SVN", "SI"), ("SWE", "SE"), ("SWZ", "SZ"), ("SXM", "SX"), ("SYC", "SC"), ("SYR", "SY"), ("TCA", "TC"),
    ("TCD", "TD"), ("TGO", "TG"), ("THA", "TH"), ("TJK", "TJ"), ("TKL", "TK"), ("TKM", "TM"), ("TLS", "TL"), ("TON", "TO"),
    ("TTO", "TT"), ("TUN", "TN"), ("TUR", "TR"), ("TUV", "TV"), ("TWN", "TW"), ("TZA", "TZ"), ("UGA", "UG"), ("UKR", "UA"),
    ("UMI", "UM"), ("URY", "UY"), ("USA", "US"), ("UZB", "UZ"), ("VAT", "VA"), ("VCT", "VC"), ("VEN", "VE"), ("VGB", "VG"),
    ("VIR", "VI"), ("VNM", "VN"), ("VUT", "VU"), ("WLF", "WF"), ("WSM", "WS"), ("YEM", "YE"), ("ZAF", "ZA"), ("ZMB", "ZM"),
    ("ZWE", "ZW"),
];

/// ICAO 9303-3 codes that are not ISO 3166 alpha-3 codes, mapped to the alpha-2 code their CSCA uses.
pub const ICAO_SPECIAL_CODES: &[(&str, &str)] = &[
    ("D", "DE"),
    ("UTO", "UT"),
    ("GBD", "GB"),
    ("GBN", "GB"),
    ("GBO", "GB"),
    ("GBP", "GB"),
    ("GBS", "GB"),
    ("RKS", "XK"),
    ("EUE", "EU"),
    ("UNO", "UN"),
    ("UNA", "UN"),
    ("UNK", "UN"),
    ("XOM", "XO"),
];

/// The alpha-2 code for an MRZ issuing state (alpha-3, ICAO special, with or without '<' filler).
/// An alpha-2 input is returned unchanged.
pub fn alpha2_for_issuing_state(code: &str) -> Option<&'static str> {
    let code = code.trim_end_matches('<').trim().to_ascii_uppercase();
    if let Some((_, a2)) = ICAO_SPECIAL_CODES.iter().find(|(k, _)| *k == code) {
        return Some(a2);
    }
    if code.len() == 2 {
        return ISO3166_ALPHA3_TO_ALPHA2.iter().map(|(_, a2)| *a2).find(|a2| *a2 == code);
    }
    ISO3166_ALPHA3_TO_ALPHA2.binary_search_by(|(a3, _)| (*a3).cmp(code.as_str())).ok().and_then(|i| ISO3166_ALPHA3_TO_ALPHA2.get(i)).map(|(_, a2)| *a2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapping() {
        assert_eq!(ISO3166_ALPHA3_TO_ALPHA2.len(), 249);
        assert!(ISO3166_ALPHA3_TO_ALPHA2.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(alpha2_for_issuing_state("GBR"), Some("GB"));
        assert_eq!(alpha2_for_issuing_state("D<<"), Some("DE"));
        assert_eq!(alpha2_for_issuing_state("DEU"), Some("DE"));
        assert_eq!(alpha2_for_issuing_state("UTO"), Some("UT"));
        assert_eq!(alpha2_for_issuing_state("NLD"), Some("NL"));
        assert_eq!(alpha2_for_issuing_state("IDN"), Some("ID"));
        assert_eq!(alpha2_for_issuing_state("ZZZ"), None);
        assert_eq!(alpha2_for_issuing_state("FR"), Some("FR"));
    }
}

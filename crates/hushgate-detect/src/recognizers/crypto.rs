//! CRYPTO: wallet addresses that carry their own checksum.
//!
//! * Bitcoin P2PKH `1…` / P2SH `3…`: Base58Check (double SHA-256).
//! * Bitcoin segwit `bc1…` (and testnet `tb1…`): Bech32 for witness v0,
//!   Bech32m for v1+ (taproot).
//! * Ethereum `0x` + 40 hex: mixed case must pass EIP-55 (Keccak-256); all
//!   lower or all upper case has no checksum but the shape is distinctive
//!   (git SHAs and digests never carry `0x` and are not 40 digits after it).

use std::sync::Arc;

use hushgate_types::{EntityType, Finding};

use crate::options::DetectOptions;
use crate::recognizer::{Match, Pattern, PatternRecognizer};
use crate::validate::crypto::{eip55_checksum_ok, is_bitcoin_base58_address, is_segwit_address};

pub(crate) fn recognizers(_o: &DetectOptions) -> Vec<Arc<dyn PatternRecognizer>> {
    vec![Arc::new(Crypto)]
}

struct Crypto;

const NAME: &str = "crypto";

const TAG_BASE58: u16 = 0;
const TAG_BECH32: u16 = 1;
const TAG_ETH: u16 = 2;

impl PatternRecognizer for Crypto {
    fn name(&self) -> &'static str {
        NAME
    }

    fn patterns(&self) -> Vec<Pattern> {
        vec![
            Pattern::new(
                TAG_BASE58,
                r"(?-u:\b)[13][1-9A-HJ-NP-Za-km-z]{24,33}(?-u:\b)",
            ),
            Pattern::new(
                TAG_BECH32,
                r"(?-u:\b)(?:(?:bc|tb)1[02-9ac-hj-np-z]+|(?:BC|TB)1[02-9AC-HJ-NP-Z]+)(?-u:\b)",
            ),
            Pattern::new(TAG_ETH, r"(?-u:\b)0x[0-9A-Fa-f]{40}(?-u:\b)"),
        ]
    }

    fn context_words(&self) -> Vec<(&'static str, &'static str)> {
        [
            "wallet",
            "bitcoin",
            "btc",
            "ethereum",
            "eth",
            "crypto",
            "usdt",
            "usdc",
            "address",
            "donations",
            "donate",
            "send",
            "payout",
        ]
        .iter()
        .map(|w| (*w, "crypto"))
        .collect()
    }

    fn on_match(&self, m: &Match<'_>, out: &mut Vec<Finding>) {
        if let Some(score) = address_score(m.tag, m.as_str(), m) {
            out.push(Finding::new(
                EntityType::Crypto,
                m.start,
                m.end,
                score,
                NAME,
            ));
        }
    }
}

fn address_score(tag: u16, s: &str, m: &Match<'_>) -> Option<f32> {
    match tag {
        TAG_BASE58 => is_bitcoin_base58_address(s).then_some(0.95),
        TAG_BECH32 => is_segwit_address(s).then_some(0.95),
        TAG_ETH => {
            let hex = &s[2..];
            let lower = hex.bytes().any(|b| b.is_ascii_lowercase());
            let upper = hex.bytes().any(|b| b.is_ascii_uppercase());
            if lower && upper {
                eip55_checksum_ok(hex).then_some(0.95)
            } else if m.context.before("crypto", m.start, 48) {
                Some(0.9)
            } else {
                Some(0.8)
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::Engine;

    fn wallets(text: &str) -> Vec<String> {
        let engine = Engine::new().unwrap();
        engine
            .scan(text)
            .into_iter()
            .filter(|f| f.entity_type.as_str() == "CRYPTO")
            .map(|f| text[f.start..f.end].to_owned())
            .collect()
    }

    #[test]
    fn addresses() {
        for a in [
            "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
            "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
            "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
            "bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297",
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
            "0xe230436b9577daad95b822a8582d587022ac0654",
        ] {
            assert_eq!(wallets(&format!("send it to {a}.")), vec![a.to_owned()]);
        }
    }

    #[test]
    fn not_addresses() {
        for t in [
            "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb",
            "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5",
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD",
            "Merged 699d3c3e7b552c53a2678f365e6b1f8fa8599ce3 into main.",
            "sha256:d7ecd7ef9b8e0609392157a49ce3f331b64adb19fa815fb967e88f754254edca",
            "tx 0x88df016429689c079f3b2f6ad39fa052532c56795b733da78a91ebe6a713944b",
        ] {
            assert!(wallets(t).is_empty(), "{t}");
        }
    }
}

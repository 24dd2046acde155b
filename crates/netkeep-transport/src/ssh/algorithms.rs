//! Algorithm lists: russh's modern defaults, then (opt-in) the legacy ones old devices need.

use russh::{cipher, kex, mac, Preferred};

/// Algorithm lists: russh's modern defaults, then (opt-in) the legacy ones old devices need.
pub(crate) fn preferred(legacy: bool) -> Preferred {
    let mut p = Preferred::default();
    if !legacy {
        return p;
    }
    let mut kexes: Vec<kex::Name> = Vec::new();
    let legacy_kex = [kex::DH_G14_SHA1, kex::DH_G1_SHA1, kex::DH_GEX_SHA1];
    let mut inserted = false;
    for k in p.kex.iter() {
        // Extension markers (ext-info-c, strict kex) stay after every real algorithm.
        let marker = k.as_ref().starts_with("ext-info") || k.as_ref().starts_with("kex-strict");
        if marker && !inserted {
            kexes.extend(legacy_kex);
            inserted = true;
        }
        kexes.push(*k);
    }
    if !inserted {
        kexes.extend(legacy_kex);
    }
    p.kex = kexes.into();
    let mut ciphers: Vec<cipher::Name> = p.cipher.to_vec();
    ciphers.extend([
        cipher::AES_128_CBC,
        cipher::AES_192_CBC,
        cipher::AES_256_CBC,
        cipher::TRIPLE_DES_CBC,
    ]);
    p.cipher = ciphers.into();
    let mut macs: Vec<mac::Name> = p.mac.to_vec();
    for m in [mac::HMAC_SHA1_ETM, mac::HMAC_SHA1] {
        if !macs.contains(&m) {
            macs.push(m);
        }
    }
    p.mac = macs.into();
    p
}

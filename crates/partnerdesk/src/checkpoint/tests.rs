//! The checkpoint's tests: every version's frames and bodies, and what they refuse.

use super::chunked::Lists;
use super::*;
use crate::customer::Customer;
use crate::demo;
use chrono::Datelike;

type TestResult = std::result::Result<(), Box<dyn std::error::Error>>;

fn code(r: Result<Desk>) -> Option<&'static str> {
    r.err().map(|e| e.code())
}

/// A version 1 checkpoint of `desk`, as the library wrote it before version 2: the whole
/// snapshot document as named-field MessagePack.
fn v1(desk: &Desk) -> Vec<u8> {
    let mut body = Vec::new();
    let written = rmp_serde::encode::write_named(&mut body, &desk.snapshot_out());
    assert!(written.is_ok());
    frame(1, &body)
}

/// A checkpoint of `version` around `body`, its length and checksum correct.
fn frame(version: u32, body: &[u8]) -> Vec<u8> {
    let mut out = CHECKPOINT_MAGIC.to_vec();
    out.extend_from_slice(&version.to_le_bytes());
    out.extend_from_slice(&(body.len() as u64).to_le_bytes());
    out.extend_from_slice(&Checksum::of_version(version).of(body));
    out.extend_from_slice(body);
    out
}

/// The body of a checkpoint (after its frame, whose checksum's length is its version's).
fn body_of(bytes: &[u8]) -> Option<&[u8]> {
    let version = u32::from_le_bytes(bytes.get(8..12)?.try_into().ok()?);
    bytes.get(PREFIX_LEN + Checksum::of_version(version).len()..)
}

/// A version 2 checkpoint of `desk`, as the library wrote it before version 3: the lists as
/// records.
fn v2(desk: &Desk) -> Result<Vec<u8>> {
    let mut body = Vec::new();
    chunked::write_document(desk.snapshot_out(), 2048, Lists::Records, &mut body)?;
    Ok(frame(2, &body))
}

/// Every version's checkpoints of `desk`, oldest first.
fn all_versions(desk: &Desk) -> Result<[Vec<u8>; 4]> {
    let v4 = desk.to_checkpoint()?;
    let v3 = frame(3, body_of(&v4).unwrap_or_default());
    Ok([v1(desk), v2(desk)?, v3, v4])
}

#[test]
fn version_4_is_written_and_every_version_reads_back() -> TestResult {
    let (desk, _) = demo::portfolio(300, 3)?;
    let [v1, v2, v3, v4] = all_versions(&desk)?;
    assert_eq!(v4.get(8..12), Some(&4u32.to_le_bytes()[..]));
    for bytes in [&v1, &v2, &v3, &v4] {
        assert_eq!(Desk::from_checkpoint(bytes)?, desk);
    }
    assert!(v2.len() < v1.len(), "no field names: smaller");
    assert!(v3.len() < v2.len(), "packed lists: smaller");
    // The same body, its checksum 16 bytes shorter.
    assert_eq!(body_of(&v4), body_of(&v3));
    assert_eq!(v4.len() + 16, v3.len());
    // Many chunks, and none: the same desk.
    for chunk in [1, 7, 299, 300, 5000] {
        for (version, lists) in [(2, Lists::Records), (3, Lists::Blocks), (4, Lists::Blocks)] {
            let mut body = Vec::new();
            chunked::write_document(desk.snapshot_out(), chunk, lists, &mut body)?;
            let bytes = frame(version, &body);
            assert_eq!(Desk::from_checkpoint(&bytes)?, desk, "{chunk}");
        }
    }
    let (empty, _) = demo::portfolio(0, 3)?;
    assert_eq!(Desk::from_checkpoint(&empty.to_checkpoint()?)?, empty);
    Ok(())
}

#[test]
fn round_trips_and_is_smaller_than_json() -> TestResult {
    let (desk, _) = demo::portfolio(300, 3)?;
    let bytes = desk.to_checkpoint()?;
    assert_eq!(bytes.get(..8), Some(&CHECKPOINT_MAGIC[..]));
    assert_eq!(Desk::from_checkpoint(&bytes)?, desk);
    assert!(bytes.len() < desk.to_snapshot_json()?.len());
    Ok(())
}

#[test]
fn every_flipped_byte_is_refused_with_a_typed_error() -> TestResult {
    let (desk, _) = demo::portfolio(5, 3)?;
    for bytes in all_versions(&desk)? {
        for i in 0..bytes.len() {
            let mut bad = bytes.clone();
            bad[i] ^= 0x40;
            let got = code(Desk::from_checkpoint(&bad));
            // A version byte flipped to 1 or 2 reads as the other version: its body does not
            // decode as that version's.
            let want = if (8..12).contains(&i) && bad[8..12] != [1, 0, 0, 0] {
                "UNSUPPORTED_SNAPSHOT_VERSION"
            } else {
                "INVALID_SNAPSHOT"
            };
            assert_eq!(got, Some(want), "byte {i}");
        }
    }
    Ok(())
}

#[test]
fn truncated_extended_and_foreign_bytes_are_refused() -> TestResult {
    let (desk, _) = demo::portfolio(5, 3)?;
    let bytes = desk.to_checkpoint()?;
    let old = v1(&desk);
    assert_eq!(
        code(Desk::from_checkpoint(&old[..old.len() - 1])),
        Some("INVALID_SNAPSHOT")
    );
    let header = bytes.len() - body_of(&bytes).map_or(0, <[u8]>::len);
    assert_eq!(header, PREFIX_LEN + 16);
    for n in [0, 7, 8, 12, PREFIX_LEN, header - 1, header, bytes.len() - 1] {
        assert_eq!(
            code(Desk::from_checkpoint(&bytes[..n])),
            Some("INVALID_SNAPSHOT"),
            "{n}"
        );
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert_eq!(
        code(Desk::from_checkpoint(&longer)),
        Some("INVALID_SNAPSHOT")
    );
    let json = desk.to_snapshot_json()?;
    assert_eq!(
        code(Desk::from_checkpoint(json.as_bytes())),
        Some("INVALID_SNAPSHOT")
    );
    Ok(())
}

#[test]
fn a_newer_version_is_refused_by_version() -> TestResult {
    let (desk, _) = demo::portfolio(5, 3)?;
    let mut bytes = desk.to_checkpoint()?;
    bytes[8..12].copy_from_slice(&(CHECKPOINT_VERSION + 1).to_le_bytes());
    let err = Desk::from_checkpoint(&bytes).err();
    assert!(matches!(
        err,
        Some(Error::UnsupportedSnapshotVersion { found, supported })
            if found == CHECKPOINT_VERSION + 1 && supported == CHECKPOINT_VERSION
    ));
    Ok(())
}

/// The checkpoint framed again around an edited body.
fn reframed(bytes: &[u8], body: &[u8]) -> Vec<u8> {
    let version = bytes.get(8..12).and_then(|v| v.try_into().ok());
    frame(u32::from_le_bytes(version.unwrap_or_default()), body)
}

fn field_of(r: Result<Desk>) -> Option<String> {
    match r {
        Err(Error::InvalidSnapshot { field, .. }) => Some(field),
        _ => None,
    }
}

/// Resources as version 3 writes them: a MessagePack byte string holding their packed block.
fn block(records: &[crate::Resource]) -> std::result::Result<Vec<u8>, rmp_serde::encode::Error> {
    let packed = crate::packed::Packed::from_records(records);
    crate::model::packed::block_form(|| rmp_serde::to_vec(&packed))
}

#[test]
fn refused_customers_are_named_as_in_a_json_snapshot() -> TestResult {
    // The checkpoint builds its desk in bulk; what it refuses, and the field it names, is
    // what the JSON snapshot's load says of the same edit: a customer's second resource
    // given the first one's id, then also its first resource started in 1960. The bytes are
    // edited in place, in every version's body.
    let (desk, _) = demo::portfolio(40, 3)?;
    let (k, c) = desk
        .customers()
        .enumerate()
        .find(|(_, c)| {
            let r = c.resources.to_vec();
            r.len() >= 2 && r[0].id.as_str().len() == r[1].id.as_str().len()
        })
        .ok_or("a customer with two resources")?;
    let resources = c.resources.to_vec();
    let (r0, r1) = (resources[0].id.as_str(), resources[1].id.as_str());
    let start = serde_json::to_value(resources[0].starts_at)?;
    let start = start.as_str().ok_or("an instant")?;
    let find = |body: &[u8], what: &[u8], from: usize| {
        body.get(from..)
            .and_then(|b| b.windows(what.len()).position(|w| w == what))
            .map(|p| p + from)
    };
    for bytes in all_versions(&desk)? {
        let mut body = body_of(&bytes).ok_or("short")?.to_vec();
        let at1 = find(&body, r1.as_bytes(), 0).ok_or("r1")?;
        body[at1..at1 + r1.len()].copy_from_slice(r0.as_bytes());
        let mut doc: serde_json::Value = serde_json::from_str(&desk.to_snapshot_json()?)?;
        doc["customers"][k]["resources"][1]["id"] = r0.into();
        let want = format!("customers[{k}].resources[1].id");
        assert_eq!(
            field_of(Desk::from_checkpoint(&reframed(&bytes, &body))),
            Some(want.clone())
        );
        assert_eq!(
            field_of(Desk::from_snapshot_json(&doc.to_string())),
            Some(want)
        );

        // The year of the first resource's start: in versions 1 and 2 the first such
        // instant after its id; in version 3 inside the packed block of the resources (the
        // same length: both years' seconds take five bytes).
        if bytes.get(8) < Some(&3) {
            let at0 = find(&body, r0.as_bytes(), 0).ok_or("r0")?;
            let year = find(&body, start.as_bytes(), at0).ok_or("starts_at")?;
            body[year..year + 4].copy_from_slice(b"1960");
        } else {
            let mut edited = resources.clone();
            edited[1].id = edited[0].id.clone();
            let before = block(&edited)?;
            edited[0].starts_at = edited[0].starts_at.with_year(1960).ok_or("1960")?;
            let after = block(&edited)?;
            assert_eq!(before.len(), after.len());
            let at = find(&body, &before, 0).ok_or("the block")?;
            body[at..at + after.len()].copy_from_slice(&after);
        }
        doc["customers"][k]["resources"][0]["starts_at"] =
            format!("1960{}", start.get(4..).unwrap_or_default()).into();
        let want = format!("customers[{k}].resources[0].starts_at");
        assert_eq!(
            field_of(Desk::from_checkpoint(&reframed(&bytes, &body))),
            Some(want.clone())
        );
        assert_eq!(
            field_of(Desk::from_snapshot_json(&doc.to_string())),
            Some(want)
        );
    }
    Ok(())
}

#[test]
fn a_well_framed_body_that_breaks_an_invariant_is_the_snapshot_error() -> TestResult {
    // The cursor key made 64 characters that are not hex digits, framed again with a
    // correct checksum: refused by the snapshot's own check, the path both formats share.
    let (desk, _) = demo::portfolio(5, 3)?;
    let key = desk.cursor_key.to_hex();
    for bytes in all_versions(&desk)? {
        let mut body = body_of(&bytes).ok_or("short")?.to_vec();
        let at = body
            .windows(key.len())
            .position(|w| w == key.as_bytes())
            .ok_or("no key")?;
        body[at..at + key.len()].fill(b'z');
        let err = Desk::from_checkpoint(&reframed(&bytes, &body)).err();
        assert!(
            matches!(&err, Some(Error::InvalidSnapshot { field, .. }) if field == "cursor_key"),
            "{err:?}"
        );
    }
    Ok(())
}

// Version 2's layout, each lie framed with a correct length and digest: what a writer with a
// bug, or someone who recomputed the digest, could hand over.

/// A version 2 body's parts, as offsets: the customer count's, the chunk count's, and each
/// chunk's table entry (its count's offset, its bytes' range).
struct Parts {
    count_at: usize,
    chunks_at: usize,
    chunks: Vec<(usize, std::ops::Range<usize>)>,
}

fn parts(body: &[u8]) -> Option<Parts> {
    let u64_at = |at: usize| -> Option<usize> {
        usize::try_from(u64::from_le_bytes(body.get(at..at + 8)?.try_into().ok()?)).ok()
    };
    let count_at = 8 + u64_at(0)?;
    let chunks_at = count_at + 8;
    let n = u32::from_le_bytes(body.get(chunks_at..chunks_at + 4)?.try_into().ok()?);
    let mut at = chunks_at + 4;
    let mut chunks = Vec::new();
    for _ in 0..n {
        let len = u64_at(at + 4)?;
        chunks.push((at, at + 12..at + 12 + len));
        at += 12 + len;
    }
    (at == body.len()).then_some(Parts {
        count_at,
        chunks_at,
        chunks,
    })
}

/// A desk of 10 customers in chunks of 3 (3, 3, 3, 1), as a body of the newest version.
fn ten_in_chunks_of_3() -> Result<(Desk, Vec<u8>)> {
    let (desk, _) = demo::portfolio(10, 5)?;
    let mut body = Vec::new();
    chunked::write_document(desk.snapshot_out(), 3, Lists::Blocks, &mut body)?;
    Ok((desk, body))
}

fn refused(body: &[u8]) -> Option<String> {
    let got = Desk::from_checkpoint(&frame(CHECKPOINT_VERSION, body));
    assert_eq!(code_of(&got), Some("INVALID_SNAPSHOT"));
    field_of(got)
}

fn code_of(r: &Result<Desk>) -> Option<&'static str> {
    r.as_ref().err().map(Error::code)
}

fn put_u32(body: &mut [u8], at: usize, v: u32) {
    body[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

fn put_u64(body: &mut [u8], at: usize, v: u64) {
    body[at..at + 8].copy_from_slice(&v.to_le_bytes());
}

#[test]
fn a_chunk_that_does_not_decode_is_named() -> TestResult {
    let (desk, body) = ten_in_chunks_of_3()?;
    assert_eq!(
        Desk::from_checkpoint(&frame(CHECKPOINT_VERSION, &body))?,
        desk
    );
    let p = parts(&body).ok_or("parts")?;
    assert_eq!(p.chunks.len(), 4);
    for (k, (_, bytes)) in p.chunks.iter().enumerate() {
        // A marker MessagePack never uses, where the first customer's array starts; then the
        // chunk cut short inside its last customer (length and table kept consistent).
        let mut bad = body.clone();
        bad[bytes.start] = 0xc1;
        assert_eq!(refused(&bad), Some(format!("checkpoint.chunks[{k}]")));
        let mut short = body.clone();
        short.remove(bytes.end - 1);
        put_u64(&mut short, bytes.start - 8, (bytes.len() - 1) as u64);
        assert_eq!(refused(&short), Some(format!("checkpoint.chunks[{k}]")));
        // A byte after the chunk's customers, inside its length.
        let mut longer = body.clone();
        longer.insert(bytes.end, 0xc0);
        put_u64(&mut longer, bytes.start - 8, (bytes.len() + 1) as u64);
        assert_eq!(refused(&longer), Some(format!("checkpoint.chunks[{k}]")));
    }
    Ok(())
}

#[test]
fn counts_that_lie_are_refused() -> TestResult {
    let (_, body) = ten_in_chunks_of_3()?;
    let p = parts(&body).ok_or("parts")?;
    let body_field = Some("checkpoint.body".to_owned());
    // The number of chunks: one more (the body ends first), one fewer (bytes left over),
    // none, and the most a u32 holds (nothing reserved for them).
    for n in [5, 3, 0, u32::MAX] {
        let mut bad = body.clone();
        put_u32(&mut bad, p.chunks_at, n);
        assert_eq!(refused(&bad), body_field, "{n} chunks");
    }
    // The number of customers.
    for n in [9, 11, 0, u64::MAX] {
        let mut bad = body.clone();
        put_u64(&mut bad, p.count_at, n);
        assert_eq!(refused(&bad), body_field, "{n} customers");
    }
    // A chunk's customers: fewer or more than it holds (the body's total kept equal, so only
    // the chunk can tell), none, over the bound.
    let (first, _) = p.chunks[0];
    let (second, _) = p.chunks[1];
    let mut bad = body.clone();
    put_u32(&mut bad, first, 2);
    put_u32(&mut bad, second, 4);
    assert_eq!(refused(&bad), Some("checkpoint.chunks[0]".to_owned()));
    let mut bad = body.clone();
    put_u32(&mut bad, first, 4);
    put_u32(&mut bad, second, 2);
    assert_eq!(refused(&bad), Some("checkpoint.chunks[0]".to_owned()));
    for n in [0, chunked::MAX_CHUNK + 1, u32::MAX] {
        let mut bad = body.clone();
        put_u32(&mut bad, first, n);
        assert_eq!(refused(&bad), body_field, "{n} in a chunk");
    }
    // Lengths past the end: the head's, a chunk's.
    for at in [0, first + 4] {
        for len in [u64::MAX, body.len() as u64] {
            let mut bad = body.clone();
            put_u64(&mut bad, at, len);
            assert_eq!(refused(&bad), body_field, "length at {at}");
        }
    }
    Ok(())
}

#[test]
fn every_truncated_body_is_refused_without_a_panic() -> TestResult {
    let (_, body) = ten_in_chunks_of_3()?;
    for n in 0..body.len() {
        let got = Desk::from_checkpoint(&frame(CHECKPOINT_VERSION, &body[..n]));
        assert_eq!(code_of(&got), Some("INVALID_SNAPSHOT"), "{n}");
    }
    Ok(())
}

#[test]
fn a_head_that_holds_customers_is_refused() -> TestResult {
    // Customers belong in the chunks: a head that carries some is not a version 2 body.
    let (desk, body) = ten_in_chunks_of_3()?;
    let p = parts(&body).ok_or("parts")?;
    let mut head = Vec::new();
    rmp_serde::encode::write_named(&mut head, &desk.snapshot_out())?;
    let mut bad = (head.len() as u64).to_le_bytes().to_vec();
    bad.extend_from_slice(&head);
    bad.extend_from_slice(body.get(p.count_at..).ok_or("short")?);
    assert_eq!(refused(&bad), Some("checkpoint.body".to_owned()));
    Ok(())
}

#[test]
fn refusals_across_chunks_are_the_json_snapshots() -> TestResult {
    // Customers edited past the desk's checks, written as a JSON snapshot and as a version 2
    // body in chunks of 3 decoded on two threads: the same error, naming the same field, in
    // the same order (a repeated id before any refused customer, then the first refused one
    // in the desk's order, whichever chunk or thread met it).
    let (desk, _) = demo::portfolio(12, 5)?;
    let same = |customers: Vec<Customer>, want: &str| -> TestResult {
        let mut doc = desk.snapshot_out();
        doc.customers = customers.iter().collect();
        let json = serde_json::to_string(&doc)?;
        let mut body = Vec::new();
        chunked::write_document(doc, 3, Lists::Blocks, &mut body)?;
        let from_json = Desk::from_snapshot_json(&json).err().map(|e| e.to_string());
        let from_checkpoint = Desk::from_checkpoint(&frame(CHECKPOINT_VERSION, &body));
        assert_eq!(field_of(from_checkpoint.clone()).as_deref(), Some(want));
        assert_eq!(from_checkpoint.err().map(|e| e.to_string()), from_json);
        Ok(())
    };
    let all: Vec<Customer> = desk.customers().cloned().collect();
    let refuse =
        |c: &mut Customer| c.name = crate::model::personal::Personal::new("x".repeat(100_000));
    // Refused customers in chunks 3 and 1: the one in chunk 1 is reported.
    let mut edited = all.clone();
    refuse(&mut edited[10]);
    refuse(&mut edited[4]);
    same(edited.clone(), "customers[4].name")?;
    // A repeated id in the last chunk comes first.
    edited[11].id = edited[0].id.clone();
    same(edited, "customers[11].id")?;
    // Without a refused customer (the repeats found as the customers are placed): inside
    // one chunk, across chunks.
    let mut edited = all.clone();
    edited[7].id = edited[6].id.clone();
    same(edited, "customers[7].id")?;
    let mut edited = all;
    edited[11].id = edited[2].id.clone();
    edited[9].id = edited[1].id.clone();
    same(edited, "customers[9].id")?;
    Ok(())
}

/// A document whose unknown key holds values nested 1,023 deep (MessagePack's own limit was
/// 1,024), as a version 1 body and as a version 3 head: refused with a typed error on a
/// thread with half a megabyte of stack. (Before the bound the decoder followed every level,
/// a few kilobytes of stack each, and the thread overflowed its stack: the process aborted.)
#[test]
fn deeply_nested_documents_are_refused_not_followed() -> TestResult {
    let mut document = vec![0x81, 0xa3, b'z', b'z', b'z'];
    document.extend(std::iter::repeat_n(0x91, 1023));
    document.push(0xc0);
    let mut v3 = (document.len() as u64).to_le_bytes().to_vec();
    v3.extend_from_slice(&document);
    v3.extend_from_slice(&0u64.to_le_bytes());
    v3.extend_from_slice(&0u32.to_le_bytes());
    let frames = [frame(1, &document), frame(3, &v3)];
    let codes = std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(move || frames.map(|f| code(Desk::from_checkpoint(&f))))?
        .join()
        .map_err(|_| "the decoding thread panicked")?;
    assert_eq!(codes, [Some("INVALID_SNAPSHOT"); 2]);
    Ok(())
}

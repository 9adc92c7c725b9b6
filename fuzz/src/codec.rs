//! The byte format of every fuzz input, read through `arbitrary::Unstructured`.
//!
//! Decoding is total: missing bytes read as zero or empty, so every byte string is an input.
//! Every read has an exact inverse in [`Writer`], which is what lets `examples/gen_seeds.rs`
//! turn the test fixtures into seed inputs (and check that they decode back unchanged).
//!
//! - integers: little-endian, fixed width, zero-filled when the input runs out;
//! - enum tags: one byte, taken modulo the number of variants;
//! - short byte strings: a one-byte length, then that many bytes (fewer at the end);
//! - the last field of an input takes the rest.

use arbitrary::Unstructured;

/// Reads the format above.
pub struct Reader<'a, 'b> {
    u: &'b mut Unstructured<'a>,
}

impl<'a, 'b> Reader<'a, 'b> {
    pub fn new(u: &'b mut Unstructured<'a>) -> Self {
        Reader { u }
    }

    fn take(&mut self, n: usize) -> &'a [u8] {
        let n = n.min(self.u.len());
        self.u.bytes(n).unwrap_or(&[])
    }

    fn fixed<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        let got = self.take(N);
        out[..got.len()].copy_from_slice(got);
        out
    }

    pub fn u8(&mut self) -> u8 {
        self.fixed::<1>()[0]
    }
    pub fn u16(&mut self) -> u16 {
        u16::from_le_bytes(self.fixed())
    }
    pub fn u32(&mut self) -> u32 {
        u32::from_le_bytes(self.fixed())
    }
    pub fn u64(&mut self) -> u64 {
        u64::from_le_bytes(self.fixed())
    }
    pub fn i64(&mut self) -> i64 {
        i64::from_le_bytes(self.fixed())
    }
    /// An enum tag in `0..n`.
    pub fn tag(&mut self, n: u8) -> u8 {
        self.u8() % n
    }
    /// A count in `0..n`.
    pub fn count(&mut self, n: u8) -> usize {
        usize::from(self.u8() % n)
    }
    pub fn short_bytes(&mut self) -> Vec<u8> {
        let n = usize::from(self.u8());
        self.take(n).to_vec()
    }
    pub fn short_string(&mut self) -> String {
        String::from_utf8_lossy(&self.short_bytes()).into_owned()
    }
    pub fn rest(&mut self) -> Vec<u8> {
        let n = self.u.len();
        self.take(n).to_vec()
    }
    pub fn is_empty(&self) -> bool {
        self.u.is_empty()
    }
}

/// Writes the format above (the seed generator's side).
#[derive(Default)]
pub struct Writer {
    pub out: Vec<u8>,
}

impl Writer {
    pub fn u8(&mut self, v: u8) {
        self.out.push(v);
    }
    pub fn u16(&mut self, v: u16) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }
    pub fn u32(&mut self, v: u32) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }
    pub fn u64(&mut self, v: u64) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }
    pub fn i64(&mut self, v: i64) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }
    pub fn tag(&mut self, v: u8) {
        self.out.push(v);
    }
    pub fn count(&mut self, v: usize) {
        self.out.push(u8::try_from(v).expect("count fits a byte"));
    }
    pub fn short_bytes(&mut self, v: &[u8]) {
        let n = u8::try_from(v.len()).expect("short field over 255 bytes");
        self.out.push(n);
        self.out.extend_from_slice(v);
    }
    pub fn short_string(&mut self, v: &str) {
        self.short_bytes(v.as_bytes());
    }
    pub fn rest(&mut self, v: &[u8]) {
        self.out.extend_from_slice(v);
    }
}

/// Implements `arbitrary::Arbitrary` for an input type through its `decode`.
#[macro_export]
macro_rules! arbitrary_via_decode {
    ($ty:ty) => {
        impl<'a> arbitrary::Arbitrary<'a> for $ty {
            fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
                Ok(<$ty>::decode(&mut $crate::codec::Reader::new(u)))
            }
            fn arbitrary_take_rest(mut u: arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
                Ok(<$ty>::decode(&mut $crate::codec::Reader::new(&mut u)))
            }
            fn size_hint(_depth: usize) -> (usize, Option<usize>) {
                (0, None)
            }
        }
    };
}

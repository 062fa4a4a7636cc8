import Crypto

/// SHA-256 in hex, for API-token hashes, ETags and measurement-file identities; swift-crypto
/// does the hashing (BoringSSL on Linux, CryptoKit on Apple platforms).
public enum Digest {
    public static func sha256Hex<S: Sequence>(_ input: S) -> String where S.Element == UInt8 {
        Crypto.SHA256.hash(data: Array(input)).map { b in
            let s = String(b, radix: 16)
            return b < 16 ? "0" + s : s
        }.joined()
    }
}

package sshserver

import (
	"golang.org/x/crypto/ssh"
	"golang.org/x/sys/cpu"
)

// The algorithms offered, most preferred first: modern ones only, so that
// an audit (ssh-audit) finds nothing to fail. AES-GCM comes before
// ChaCha20-Poly1305 because x/crypto's AES-GCM uses the CPU's AES
// instructions and is about twice as fast here. There is no CBC, no CTR
// (encrypt-and-MAC), no SHA-1, no NIST-curve or finite-field key exchange
// and no RSA or ECDSA host key. The MACs only matter to clients that
// pick no AEAD cipher, which all of ours are; they are encrypt-then-MAC.

// kexAlgorithms: the post-quantum hybrid first (x/crypto with Go ≥ 1.24),
// then X25519. x/crypto adds curve25519-sha256@libssh.org, the same
// algorithm under its older name, for older clients.
func kexAlgorithms() []string {
	return []string{ssh.KeyExchangeMLKEM768X25519, ssh.KeyExchangeCurve25519}
}

// cipherAlgorithms: in SSH the client's preference wins, and OpenSSH's
// client prefers chacha20-poly1305, which x/crypto runs without assembly
// at half the speed of its AES-GCM (BENCHMARKS.md). So where the CPU has
// AES instructions, ChaCha20 is not offered at all.
func cipherAlgorithms() []string {
	if hasAESHardware {
		return []string{ssh.CipherAES128GCM, ssh.CipherAES256GCM}
	}
	return []string{ssh.CipherAES128GCM, ssh.CipherAES256GCM, ssh.CipherChaCha20Poly1305}
}

// hasAESHardware reports AES instructions (AES-NI, ARMv8 AES) usable by
// crypto/aes.
var hasAESHardware = cpu.X86.HasAES && cpu.X86.HasPCLMULQDQ || cpu.ARM64.HasAES && cpu.ARM64.HasPMULL

func macAlgorithms() []string {
	return []string{ssh.HMACSHA256ETM, ssh.HMACSHA512ETM}
}

// publicKeyAuthAlgorithms are the signature algorithms accepted from
// clients: no ssh-rsa (SHA-1) and no DSA.
func publicKeyAuthAlgorithms() []string {
	return []string{
		ssh.KeyAlgoED25519,
		ssh.KeyAlgoSKED25519,
		ssh.KeyAlgoECDSA256,
		ssh.KeyAlgoECDSA384,
		ssh.KeyAlgoECDSA521,
		ssh.KeyAlgoSKECDSA256,
		ssh.KeyAlgoRSASHA512,
		ssh.KeyAlgoRSASHA256,
	}
}

// keyTypes are the public key types authorized_keys may list (what
// ssh.PublicKey.Type returns), matching publicKeyAuthAlgorithms.
func keyTypes() []string {
	return []string{
		ssh.KeyAlgoED25519,
		ssh.KeyAlgoSKED25519,
		ssh.KeyAlgoECDSA256,
		ssh.KeyAlgoECDSA384,
		ssh.KeyAlgoECDSA521,
		ssh.KeyAlgoSKECDSA256,
		ssh.KeyAlgoRSA,
	}
}

// minRSABits is the smallest RSA key accepted for client authentication.
const minRSABits = 2048

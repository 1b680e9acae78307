//! The brainpool curves (RFC 5639) that have no RustCrypto crate: brainpoolP192r1, P224r1, P320r1 and
//! P512r1. brainpoolP256r1 and P384r1 come from the `bp256` / `bp384` crates.
//!
//! Each curve is built from the `primefield` Montgomery field macros and the `primeorder` generic
//! short-Weierstrass arithmetic, the way the `bp256` crate builds its curve (brainpool curves have a ≠ -3,
//! so the generic-a formulas are used). The constants are those of RFC 5639 §3; the tests check that the
//! generator lies on the curve and has the stated order. Each curve implements `ecdsa::EcdsaCurve`, so
//! `ecdsa::VerifyingKey<C>` works on it.

macro_rules! brainpool_curve {
    (
        module: $module:ident,
        curve: $curve:ident,
        name: $name:literal,
        oid: $oid:literal,
        uint: $uint:ty,
        bytes: $bytes:ty,
        p: $p:literal,
        a: $a:literal,
        b: $b:literal,
        gx: $gx:literal,
        gy: $gy:literal,
        n: $n:literal,
        field_generator: $fg:literal,
        scalar_generator: $sg:literal
    ) => {
        #[doc = concat!("The ", $name, " curve (RFC 5639): types, arithmetic and ECDSA.")]
        pub mod $module {
            use elliptic_curve::bigint::Odd;
            use elliptic_curve::{CurveArithmetic, PrimeCurveArithmetic, hazmat::FieldArithmetic};
            use primeorder::{PrimeCurveParams, mul_backend, point_arithmetic};

            #[doc = concat!("The ", $name, " elliptic curve.")]
            #[derive(Copy, Clone, Debug, Default, Eq, PartialEq, PartialOrd, Ord)]
            pub struct $curve;

            /// Hex of the field prime p.
            pub const MODULUS_HEX: &str = $p;
            /// Hex of the group order n.
            pub const ORDER_HEX: &str = $n;
            /// Hex of the coefficient a (field-size width, as the field element macros want).
            pub const A_HEX: &str = $a;
            /// Hex of the coefficient b.
            pub const B_HEX: &str = $b;
            /// Hex of the generator's x coordinate.
            pub const GX_HEX: &str = $gx;
            /// Hex of the generator's y coordinate.
            pub const GY_HEX: &str = $gy;
            /// The curve's OID.
            pub const OID: crate::asn1::ObjectIdentifier =
                crate::asn1::ObjectIdentifier::new_unwrap($oid);

            /// The group order as an odd integer.
            pub const ORDER: Odd<$uint> = Odd::<$uint>::from_be_hex(ORDER_HEX);

            impl elliptic_curve::Curve for $curve {
                type FieldBytesSize = $bytes;
                type Uint = $uint;
                const ORDER: Odd<$uint> = ORDER;
            }

            impl elliptic_curve::PrimeCurve for $curve {}

            impl elliptic_curve::point::PointCompression for $curve {
                const COMPRESS_POINTS: bool = false;
            }

            /// Base field of the curve.
            #[allow(deprecated)] // the primefield macros call a deprecated crypto-bigint method
            pub mod field {
                use super::MODULUS_HEX;
                use elliptic_curve::{
                    ff::PrimeField,
                    ops::BatchInvert,
                    subtle::{Choice, ConstantTimeEq, CtOption},
                };

                primefield::monty_field_params! {
                    name: FieldParams,
                    modulus: MODULUS_HEX,
                    uint: $uint,
                    byte_order: primefield::ByteOrder::BigEndian,
                    multiplicative_generator: $fg,
                    doc: concat!("Montgomery parameters for the ", $name, " field modulus")
                }

                primefield::monty_field_element! {
                    name: FieldElement,
                    params: FieldParams,
                    uint: $uint,
                    doc: concat!("Element of the ", $name, " base field")
                }

                primefield::monty_field_arithmetic! {
                    name: FieldElement,
                    params: FieldParams,
                    uint: $uint
                }

                impl BatchInvert for FieldElement {}
            }

            /// Scalar field (integers modulo the group order).
            #[allow(deprecated)] // the primefield macros call a deprecated crypto-bigint method
            pub mod scalar {
                use super::{ORDER, ORDER_HEX, $curve};
                use elliptic_curve::{
                    bigint::Reduce,
                    ff::PrimeField,
                    scalar::{FromUintUnchecked, IsHigh},
                    subtle::{Choice, ConstantTimeEq, ConstantTimeGreater, CtOption},
                };
                use primeorder::wnaf;

                primefield::monty_field_params! {
                    name: ScalarParams,
                    modulus: ORDER_HEX,
                    uint: $uint,
                    byte_order: primefield::ByteOrder::BigEndian,
                    multiplicative_generator: $sg,
                    doc: concat!("Montgomery parameters for the ", $name, " group order")
                }

                primefield::monty_field_element! {
                    name: Scalar,
                    params: ScalarParams,
                    uint: $uint,
                    doc: concat!("Element of the ", $name, " scalar field")
                }

                primefield::monty_field_arithmetic! {
                    name: Scalar,
                    params: ScalarParams,
                    uint: $uint
                }

                // Reduction written out (instead of `monty_field_reduce!`) because the serialized size of
                // P224/P320 scalars is smaller than their integer type.
                impl Reduce<$uint> for Scalar {
                    fn reduce(w: &$uint) -> Self {
                        Self(primefield::MontyFieldElement::<
                            ScalarParams,
                            { <$uint>::LIMBS },
                        >::reduce(w))
                    }
                }

                impl Reduce<elliptic_curve::FieldBytes<$curve>> for Scalar {
                    fn reduce(bytes: &elliptic_curve::FieldBytes<$curve>) -> Self {
                        let mut buf = [0u8; <$uint>::BYTES];
                        let offset = buf.len().saturating_sub(bytes.len());
                        buf[offset..].copy_from_slice(bytes);
                        <Self as Reduce<$uint>>::reduce(&<$uint>::from_be_slice(&buf))
                    }
                }

                elliptic_curve::scalar_impls!($curve, Scalar);

                wnaf::impl_wnaf_size_for_scalar!(Scalar);

                impl AsRef<Scalar> for Scalar {
                    fn as_ref(&self) -> &Scalar {
                        self
                    }
                }

                impl FromUintUnchecked for Scalar {
                    type Uint = $uint;

                    fn from_uint_unchecked(uint: Self::Uint) -> Self {
                        Self::from_uint_unchecked(uint)
                    }
                }

                impl IsHigh for Scalar {
                    fn is_high(&self) -> Choice {
                        let half: $uint = ORDER.as_ref().shr_vartime(1);
                        self.to_canonical().ct_gt(&half)
                    }
                }
            }

            pub use field::FieldElement;
            pub use scalar::Scalar;

            /// Affine point.
            pub type AffinePoint = primeorder::AffinePoint<$curve>;
            /// Projective point.
            pub type ProjectivePoint = primeorder::ProjectivePoint<$curve>;
            /// Serialized field element.
            pub type FieldBytes = elliptic_curve::FieldBytes<$curve>;
            /// ECDSA verifying key.
            pub type VerifyingKey = ecdsa::VerifyingKey<$curve>;
            /// ECDSA signature.
            pub type Signature = ecdsa::Signature<$curve>;

            impl CurveArithmetic for $curve {
                type AffinePoint = AffinePoint;
                type ProjectivePoint = ProjectivePoint;
                type Scalar = Scalar;
            }

            impl FieldArithmetic for $curve {
                type FieldElement = FieldElement;
            }

            impl PrimeCurveArithmetic for $curve {
                type CurveGroup = ProjectivePoint;
            }

            impl PrimeCurveParams for $curve {
                type PointArithmetic = point_arithmetic::EquationAIsGeneric;
                type Backend = mul_backend::VariableOnly;

                const EQUATION_A: FieldElement = FieldElement::from_hex_vartime($a);
                const EQUATION_B: FieldElement = FieldElement::from_hex_vartime($b);
                const GENERATOR: (FieldElement, FieldElement) = (
                    FieldElement::from_hex_vartime($gx),
                    FieldElement::from_hex_vartime($gy),
                );
            }

            impl ecdsa::EcdsaCurve for $curve {
                const NORMALIZE_S: bool = false;
            }
        }
    };
}

brainpool_curve! {
    module: p192r1,
    curve: BrainpoolP192r1,
    name: "brainpoolP192r1",
    oid: "1.3.36.3.3.2.8.1.1.3",
    uint: elliptic_curve::bigint::U192,
    bytes: elliptic_curve::consts::U24,
    p: "c302f41d932a36cda7a3463093d18db78fce476de1a86297",
    a: "6a91174076b1e0e19c39c031fe8685c1cae040e5c69a28ef",
    b: "469a28ef7c28cca3dc721d044f4496bcca7ef4146fbf25c9",
    gx: "c0a0647eaab6a48753b033c56cb0f0900a2f5c4853375fd6",
    gy: "14b690866abd5bb88b5f4828c1490002e6773fa2fa299b8f",
    n: "c302f41d932a36cda7a3462f9e9e916b5be8f1029ac4acc1",
    field_generator: 3,
    scalar_generator: 7
}

brainpool_curve! {
    module: p224r1,
    curve: BrainpoolP224r1,
    name: "brainpoolP224r1",
    oid: "1.3.36.3.3.2.8.1.1.5",
    uint: elliptic_curve::bigint::U256,
    bytes: elliptic_curve::consts::U28,
    p: "00000000d7c134aa264366862a18302575d1d787b09f075797da89f57ec8c0ff",
    a: "68a5e62ca9ce6c1c299803a6c1530b514e182ad8b0042a59cad29f43",
    b: "2580f63ccfe44138870713b1a92369e33e2135d266dbb372386c400b",
    gx: "0d9029ad2c7e5cf4340823b2a87dc68c9e4ce3174c1e6efdee12c07d",
    gy: "58aa56f772c0726f24c6b89e4ecdac24354b9e99caa3f6d3761402cd",
    n: "00000000d7c134aa264366862a18302575d0fb98d116bc4b6ddebca3a5a7939f",
    field_generator: 3,
    scalar_generator: 3
}

brainpool_curve! {
    module: p320r1,
    curve: BrainpoolP320r1,
    name: "brainpoolP320r1",
    oid: "1.3.36.3.3.2.8.1.1.9",
    uint: elliptic_curve::bigint::U384,
    bytes: elliptic_curve::consts::U40,
    p: "0000000000000000d35e472036bc4fb7e13c785ed201e065f98fcfa6f6f40def4f92b9ec7893ec28fcd412b1f1b32e27",
    a: "3ee30b568fbab0f883ccebd46d3f3bb8a2a73513f5eb79da66190eb085ffa9f492f375a97d860eb4",
    b: "520883949dfdbc42d3ad198640688a6fe13f41349554b49acc31dccd884539816f5eb4ac8fb1f1a6",
    gx: "43bd7e9afb53d8b85289bcc48ee5bfe6f20137d10a087eb6e7871e2a10a599c710af8d0d39e20611",
    gy: "14fdd05545ec1cc8ab4093247f77275e0743ffed117182eaa9c77877aaac6ac7d35245d1692e8ee1",
    n: "0000000000000000d35e472036bc4fb7e13c785ed201e065f98fcfa5b68f12a32d482ec7ee8658e98691555b44c59311",
    field_generator: 5,
    scalar_generator: 3
}

brainpool_curve! {
    module: p512r1,
    curve: BrainpoolP512r1,
    name: "brainpoolP512r1",
    oid: "1.3.36.3.3.2.8.1.1.13",
    uint: elliptic_curve::bigint::U512,
    bytes: elliptic_curve::consts::U64,
    p: "aadd9db8dbe9c48b3fd4e6ae33c9fc07cb308db3b3c9d20ed6639cca703308717d4d9b009bc66842aecda12ae6a380e62881ff2f2d82c68528aa6056583a48f3",
    a: "7830a3318b603b89e2327145ac234cc594cbdd8d3df91610a83441caea9863bc2ded5d5aa8253aa10a2ef1c98b9ac8b57f1117a72bf2c7b9e7c1ac4d77fc94ca",
    b: "3df91610a83441caea9863bc2ded5d5aa8253aa10a2ef1c98b9ac8b57f1117a72bf2c7b9e7c1ac4d77fc94cadc083e67984050b75ebae5dd2809bd638016f723",
    gx: "81aee4bdd82ed9645a21322e9c4c6a9385ed9f70b5d916c1b43b62eef4d0098eff3b1f78e2d0d48d50d1687b93b97d5f7c6d5047406a5e688b352209bcb9f822",
    gy: "7dde385d566332ecc0eabfa9cf7822fdf209f70024a57b1aa000c55b881f8111b2dcde494a5f485e5bca4bd88a2763aed1ca2b2fa8f0540678cd1e0f3ad80892",
    n: "aadd9db8dbe9c48b3fd4e6ae33c9fc07cb308db3b3c9d20ed6639cca70330870553e5c414ca92619418661197fac10471db1d381085ddaddb58796829ca90069",
    field_generator: 2,
    scalar_generator: 7
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use elliptic_curve::group::Group;
    use elliptic_curve::sec1::ToSec1Point;

    macro_rules! curve_tests {
        ($test:ident, $m:ident) => {
            #[test]
            fn $test() {
                use super::$m::*;
                // The generator, as encoded by the arithmetic, matches the RFC 5639 coordinates.
                let g = ProjectivePoint::generator().to_affine();
                let enc = g.to_sec1_point(false);
                let hex = |s: &str| {
                    let h = s.trim_start_matches('0');
                    let width = enc.as_bytes().len() / 2;
                    format!("{:0>w$}", h, w = width * 2)
                };
                let expected = format!("04{}{}", hex(GX_HEX), hex(GY_HEX));
                assert_eq!(hex::encode(enc.as_bytes()), expected);
                // n·G is the identity, (n-1)·G = -G.
                let n_minus_1 = -Scalar::ONE;
                let p = ProjectivePoint::generator() * n_minus_1;
                assert_eq!(
                    p + ProjectivePoint::generator(),
                    ProjectivePoint::identity()
                );
                assert!(bool::from((p + ProjectivePoint::generator()).is_identity()));
                // Round trip of a point through SEC1.
                let q = (ProjectivePoint::generator().double() + ProjectivePoint::generator())
                    .to_affine();
                let back =
                    VerifyingKey::from_sec1_bytes(q.to_sec1_point(false).as_bytes()).unwrap();
                assert_eq!(back.as_affine(), &q);
            }
        };
    }

    curve_tests!(brainpool_p192r1_generator, p192r1);
    curve_tests!(brainpool_p224r1_generator, p224r1);
    curve_tests!(brainpool_p320r1_generator, p320r1);
    curve_tests!(brainpool_p512r1_generator, p512r1);
}

;; The finite check of float32 tensors, with 128-bit SIMD (compiled into FINITE_WASM in finite-check.ts;
;; finite-check.test.ts checks that the two agree). A float32 is NaN or infinite exactly when its 8 exponent
;; bits are all ones; adding 1 to the exponent field then carries into the sign bit, so OR-ing
;; (bits & 0x7f800000) + 0x00800000 over all values leaves a sign bit set iff one of them is bad.
(module
  ;; 4 pages: the 256 KiB block the caller copies each part of a tensor into.
  (memory (export "memory") 4)
  ;; 1 when none of the float32 values in [p, p + bytes) is NaN or infinite; bytes is a multiple of 64.
  (func (export "allFinite") (param $p i32) (param $bytes i32) (result i32)
    (local $end i32) (local $a v128) (local $b v128) (local $mask v128) (local $one v128)
    (local.set $end (i32.add (local.get $p) (local.get $bytes)))
    (local.set $mask (v128.const i32x4 0x7f800000 0x7f800000 0x7f800000 0x7f800000))
    (local.set $one (v128.const i32x4 0x00800000 0x00800000 0x00800000 0x00800000))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $a (v128.or (local.get $a) (i32x4.add (v128.and (v128.load offset=0 (local.get $p)) (local.get $mask)) (local.get $one))))
        (local.set $b (v128.or (local.get $b) (i32x4.add (v128.and (v128.load offset=16 (local.get $p)) (local.get $mask)) (local.get $one))))
        (local.set $a (v128.or (local.get $a) (i32x4.add (v128.and (v128.load offset=32 (local.get $p)) (local.get $mask)) (local.get $one))))
        (local.set $b (v128.or (local.get $b) (i32x4.add (v128.and (v128.load offset=48 (local.get $p)) (local.get $mask)) (local.get $one))))
        (local.set $p (i32.add (local.get $p) (i32.const 64)))
        (br $next)))
    (i32.eqz (v128.any_true (v128.and (v128.or (local.get $a) (local.get $b)) (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000))))))

using System;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;

namespace NetGen.Benchmarks;

/// <summary>
/// This machine's single-core limits, measured rather than assumed, for the networks'
/// rooflines: the peak rate of 512-bit fused multiply-adds (<see cref="PeakFmaBenchmark"/>) and
/// the read bandwidth of each level of the memory hierarchy (<see cref="ReadBandwidthBenchmarks"/>).
/// </summary>
public static class Roofline
{
    /// <summary>Independent FMA chains: more than latency × pipes (4 × 2 on Zen 4 and 5), so the pipes never wait.</summary>
    public const int Chains = 12;

    /// <summary>Iterations of the peak loop: 12 chains × 16 lanes × 2 FLOP × 2¹⁶ = 25.2 MFLOP per call.</summary>
    public const int Iterations = 1 << 16;
}

/// <summary>
/// Peak FP32 rate: 12 independent chains of fused multiply-adds on registers, with Vector512
/// and with Vector256 (the AVX2 machines' peak; Vector512 is not accelerated there, and its
/// benchmark then measures the software fallback).
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 5)]
public class PeakFmaBenchmark
{
    [Benchmark(Description = "12 × Vector512 FMA chains, 25.2 MFLOP")]
    public Vector512<float> PeakFma()
    {
        var m = Vector512.Create(0.999999f);
        var c = Vector512.Create(1e-7f);
        Vector512<float> a0 = Vector512.Create(1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
        Vector512<float> a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        for (int i = 0; i < Roofline.Iterations; i++)
        {
            a0 = Vector512.FusedMultiplyAdd(a0, m, c);
            a1 = Vector512.FusedMultiplyAdd(a1, m, c);
            a2 = Vector512.FusedMultiplyAdd(a2, m, c);
            a3 = Vector512.FusedMultiplyAdd(a3, m, c);
            a4 = Vector512.FusedMultiplyAdd(a4, m, c);
            a5 = Vector512.FusedMultiplyAdd(a5, m, c);
            a6 = Vector512.FusedMultiplyAdd(a6, m, c);
            a7 = Vector512.FusedMultiplyAdd(a7, m, c);
            a8 = Vector512.FusedMultiplyAdd(a8, m, c);
            a9 = Vector512.FusedMultiplyAdd(a9, m, c);
            a10 = Vector512.FusedMultiplyAdd(a10, m, c);
            a11 = Vector512.FusedMultiplyAdd(a11, m, c);
        }

        return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
    }

    [Benchmark(Description = "12 × Vector256 FMA chains, 12.6 MFLOP")]
    public Vector256<float> PeakFma256()
    {
        var m = Vector256.Create(0.999999f);
        var c = Vector256.Create(1e-7f);
        Vector256<float> a0 = Vector256.Create(1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
        Vector256<float> a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        for (int i = 0; i < Roofline.Iterations; i++)
        {
            a0 = Vector256.FusedMultiplyAdd(a0, m, c);
            a1 = Vector256.FusedMultiplyAdd(a1, m, c);
            a2 = Vector256.FusedMultiplyAdd(a2, m, c);
            a3 = Vector256.FusedMultiplyAdd(a3, m, c);
            a4 = Vector256.FusedMultiplyAdd(a4, m, c);
            a5 = Vector256.FusedMultiplyAdd(a5, m, c);
            a6 = Vector256.FusedMultiplyAdd(a6, m, c);
            a7 = Vector256.FusedMultiplyAdd(a7, m, c);
            a8 = Vector256.FusedMultiplyAdd(a8, m, c);
            a9 = Vector256.FusedMultiplyAdd(a9, m, c);
            a10 = Vector256.FusedMultiplyAdd(a10, m, c);
            a11 = Vector256.FusedMultiplyAdd(a11, m, c);
        }

        return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
    }
}

/// <summary>
/// Read bandwidth of a buffer that lives in L1 (32 KiB), L2 (512 KiB), L3 (8 MiB) or memory
/// (512 MiB): one pass of Vector512 (or Vector256) loads into eight independent sums.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 5)]
public class ReadBandwidthBenchmarks
{
    private float[] _buffer = [];

    [Params(32 << 10, 512 << 10, 8 << 20, 512 << 20)]
    public int Bytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _buffer = new float[Bytes / sizeof(float)];
        _buffer.AsSpan().Fill(1f);
    }

    [Benchmark(Description = "read")]
    public Vector512<float> Read()
    {
        ref float start = ref _buffer[0];
        Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
        for (nuint i = 0; i < (nuint)_buffer.Length; i += 128)
        {
            s0 += Vector512.LoadUnsafe(ref start, i);
            s1 += Vector512.LoadUnsafe(ref start, i + 16);
            s2 += Vector512.LoadUnsafe(ref start, i + 32);
            s3 += Vector512.LoadUnsafe(ref start, i + 48);
            s4 += Vector512.LoadUnsafe(ref start, i + 64);
            s5 += Vector512.LoadUnsafe(ref start, i + 80);
            s6 += Vector512.LoadUnsafe(ref start, i + 96);
            s7 += Vector512.LoadUnsafe(ref start, i + 112);
        }

        return s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7;
    }

    [Benchmark(Description = "read (Vector256)")]
    public Vector256<float> Read256()
    {
        ref float start = ref _buffer[0];
        Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
        for (nuint i = 0; i < (nuint)_buffer.Length; i += 64)
        {
            s0 += Vector256.LoadUnsafe(ref start, i);
            s1 += Vector256.LoadUnsafe(ref start, i + 8);
            s2 += Vector256.LoadUnsafe(ref start, i + 16);
            s3 += Vector256.LoadUnsafe(ref start, i + 24);
            s4 += Vector256.LoadUnsafe(ref start, i + 32);
            s5 += Vector256.LoadUnsafe(ref start, i + 40);
            s6 += Vector256.LoadUnsafe(ref start, i + 48);
            s7 += Vector256.LoadUnsafe(ref start, i + 56);
        }

        return s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7;
    }
}

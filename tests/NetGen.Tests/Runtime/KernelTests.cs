using System;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CsCheck;
using NetGen.Runtime;
using NetGen.Tests.Reference;
using Xunit;
using Xunit.Abstractions;

namespace NetGen.Tests.Runtime;

/// <summary>
/// The runtime kernels against float64 formulas, on random vectors whose lengths (1 to 300)
/// are mostly not multiples of any vector width, so every scalar tail runs too.
/// </summary>
public sealed class KernelTests(ITestOutputHelper output)
{
    /// <summary>PyTorch's float32 <c>linear</c>'s outputs over the format's bound on the harsh layers (README.md, Accuracy).</summary>
    private const int PyTorchOverBound = 111;

    private static readonly Gen<float[]> Vectors = Gen.Float[-3f, 3f].Array[1, 300];

    [Fact]
    public void Erfc_is_accurate_to_float_precision_over_the_whole_line() =>
        Gen.Double[-12, 12].Sample(x =>
        {
            double expected = ReferenceNetwork.Erfc(x);
            Assert.True(Math.Abs(SpecialFunctions.Erfc(x) - expected) <= 1.2e-7 * expected + 1e-300, $"erfc({x})");
        }, iter: 5000);

    /// <summary>
    /// The packed kernels against a float64 product, on 300 fixed draws (columns 1 to 300, rows 1
    /// to 150, 1 to 19 samples; weights and inputs uniform in [-3, 3]): every kernel gives the same
    /// bits; each output is within the error bound of the kernels' summation order and within
    /// 2e-5·(1 + |y|) of the exact value; and the worst error is below that of a float32 loop
    /// that sums each output in one chain.
    /// </summary>
    /// <remarks>
    /// The proven bound: a block of at most <see cref="PackedLinear.BlockLength"/> float32
    /// multiply-adds errs by at most γₙ·Σ|w·x| over the block (γₙ = nu/(1 − nu), u = 2⁻²⁴); the
    /// double sum of the blocks and the bias adds almost nothing; the rounding to float at most
    /// u·|y|. The practical bound is 2e-5·(1 + |y|), not the format's 1e-5: on such layers (up to
    /// 300 weights near ±3) an output that cancels to near 0 keeps its partial sums' rounding. The
    /// contract is PyTorch's: its float32 <c>linear</c> on the same distribution leaves 111 of
    /// 225,285 outputs over 1e-5 (worst 2.4e-5), and NetGen may leave no more (with blocks of 32:
    /// 5 of 234,027, worst 1.2e-5; one float32 chain per output: 155, worst 3.0e-5). The order an
    /// unrolled layer sums in, without fused multiply-adds, is held to the same count (13).
    /// </remarks>
    [Fact]
    public void Packed_linear_matches_a_float64_matrix_product_alone_and_in_batches()
    {
        const double U = 1.0 / (1 << 24);
        double gamma = PackedLinear.BlockLength * U / (1 - (PackedLinear.BlockLength * U));
        double worst = 0, worstChain = 0;
        int overBound = 0, unrolledOverBound = 0;
        for (int seed = 0; seed < 300; seed++)
        {
            var random = new Random(seed);
            int columns = random.Next(1, 301), rows = random.Next(1, 151), samples = random.Next(1, 20);
            float[] x = Enumerable.Range(0, samples * columns).Select(_ => (float)((random.NextDouble() * 6) - 3)).ToArray();
            float[] w = Enumerable.Range(0, rows * columns).Select(_ => (float)((random.NextDouble() * 6) - 3)).ToArray();
            float[] b = Enumerable.Range(0, rows).Select(_ => (float)random.NextDouble()).ToArray();
            float[] packed = new float[PackedLinear.PackedLength(rows, columns)];
            PackedLinear.Pack(w, rows, columns, packed);
            var epilogue = seed % 2 == 0 ? Epilogue.None : Epilogue.Relu;

            float[] batch = new float[samples * rows];
            PackedLinear.ForwardBatch(packed, b, x, batch, columns, rows, epilogue);
            for (int s = 0; s < samples; s++)
            {
                float[] y = new float[rows];
                PackedLinear.Forward(packed, b, x.AsSpan(s * columns, columns), y, epilogue);

                // The same sums in the same order, whichever kernel ran them.
                Assert.Equal(y, batch.AsSpan(s * rows, rows).ToArray());
                for (int r = 0; r < rows; r++)
                {
                    var products = Enumerable.Range(0, columns).Select(c => (double)w[(r * columns) + c] * x[(s * columns) + c]).ToArray();
                    double z = b[r] + products.Sum();
                    double expected = epilogue == Epilogue.Relu ? Math.Max(0, z) : z;
                    double proven = (gamma * products.Sum(Math.Abs)) + (U * Math.Abs(z)) + 1e-12;
                    string where = $"seed {seed}, {columns} → {rows}, sample {s}, output {r}";
                    Assert.True(Math.Abs(y[r] - expected) <= proven, $"{where}: {y[r]:R}, expected {expected:R}, beyond the summation's bound {proven:E2}");
                    AssertClose(expected, y[r], 2e-5, where);

                    float chain = b[r];
                    for (int c = 0; c < columns; c++)
                    {
                        chain = MathF.FusedMultiplyAdd(w[(r * columns) + c], x[(s * columns) + c], chain);
                    }

                    // An unrolled layer's order (UnrolledEmitter): plain multiplies and adds in chains
                    // of BlockLength products; one chain adds the bias in float, longer rows add
                    // their chains and then the bias in double.
                    double blocks = 0;
                    float block = 0;
                    for (int k = 0; k < columns; k += PackedLinear.BlockLength)
                    {
                        block = 0;
                        for (int c = k; c < Math.Min(columns, k + PackedLinear.BlockLength); c++)
                        {
                            block += w[(r * columns) + c] * x[(s * columns) + c];
                        }

                        blocks += block;
                    }

                    float unrolled = columns <= PackedLinear.BlockLength ? block + b[r] : (float)(blocks + b[r]);
                    unrolledOverBound += Math.Abs((epilogue == Epilogue.Relu ? Math.Max(0, unrolled) : unrolled) - expected) / (1 + Math.Abs(expected)) > 1e-5 ? 1 : 0;

                    double error = Math.Abs(y[r] - expected) / (1 + Math.Abs(expected));
                    worst = Math.Max(worst, error);
                    overBound += error > 1e-5 ? 1 : 0;
                    worstChain = Math.Max(worstChain, Math.Abs((epilogue == Epilogue.Relu ? Math.Max(0, chain) : chain) - expected) / (1 + Math.Abs(expected)));
                }
            }
        }

        output.WriteLine($"kernels: {overBound} outputs over 1e-5·(1 + |y|), worst {worst:E2}; unrolled order: {unrolledOverBound}; one float32 chain: worst {worstChain:E2}");
        Assert.True(worst < worstChain, $"worst error {worst:E2}, one float32 chain per output {worstChain:E2}");
        Assert.True(overBound <= PyTorchOverBound, $"{overBound} outputs over 1e-5·(1 + |y|), PyTorch's float32 linear {PyTorchOverBound}");
        Assert.True(unrolledOverBound <= PyTorchOverBound, $"unrolled layers' order: {unrolledOverBound} outputs over 1e-5·(1 + |y|), PyTorch's float32 linear {PyTorchOverBound}");
    }

    /// <summary>
    /// The batch kernel runs a chunk of samples through a panel a block of 256 columns at a time,
    /// in tiles of several sizes: on layers wider than two such blocks (one with a partial last
    /// block, one with a partial panel), every batch size from 1 to 100 (two chunks of 48 and a
    /// rest, every mix of tiles) gives each sample the bits it has alone.
    /// </summary>
    [Theory]
    [InlineData(600, 40)]
    [InlineData(1000, 16)]
    public void Batches_of_every_size_give_each_sample_its_bits_alone(int columns, int rows)
    {
        var random = new Random(columns);
        float[] w = Enumerable.Range(0, rows * columns).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
        float[] b = Enumerable.Range(0, rows).Select(_ => (float)random.NextDouble()).ToArray();
        float[] packed = new float[PackedLinear.PackedLength(rows, columns)];
        PackedLinear.Pack(w, rows, columns, packed);
        float[] x = Enumerable.Range(0, 100 * columns).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
        float[] alone = new float[100 * rows];
        for (int s = 0; s < 100; s++)
        {
            PackedLinear.Forward(packed, b, x.AsSpan(s * columns, columns), alone.AsSpan(s * rows, rows), Epilogue.Relu);
        }

        for (int samples = 1; samples <= 100; samples++)
        {
            float[] batch = new float[samples * rows];
            PackedLinear.ForwardBatch(packed, b, x.AsSpan(0, samples * columns), batch, columns, rows, Epilogue.Relu);
            Assert.True(alone.AsSpan(0, samples * rows).SequenceEqual(batch), $"a batch of {samples}");
        }
    }

    [Fact]
    public void The_generator_packs_weights_as_the_runtime_does() =>
        Gen.Select(Gen.Int[1, 70], Gen.Int[1, 70]).Sample((rows, columns) =>
        {
            float[] w = Enumerable.Range(0, rows * columns).Select(i => (float)i).ToArray();
            float[] packed = new float[PackedLinear.PackedLength(rows, columns)];
            PackedLinear.Pack(w, rows, columns, packed);
            Assert.Equal(packed, NetGen.Generator.Emit.Packing.Pack(w, rows, columns));
        });

    /// <summary>
    /// Log-softmax of large inputs keeps float32 precision (the shift by max and by log Σ are
    /// two subtractions, not one of their rounded sum), and may run in place.
    /// </summary>
    [Fact]
    public void Log_softmax_keeps_precision_for_large_inputs_and_runs_in_place()
    {
        float[] x = { 10000f, 10001f, 10002f, 10003f };
        double[] expected = { -3.4401896985611957, -2.4401896985611957, -1.4401896985611957, -0.44018969856119545 };
        Activations.LogSoftmax(x, x);
        for (int i = 0; i < x.Length; i++)
        {
            Assert.True(Math.Abs(x[i] - expected[i]) <= 1e-6, $"y[{i}] = {x[i]:R}, expected {expected[i]:R}");
        }
    }

    /// <summary>
    /// An activation fused into a layer's stores (the vectorized layers' two-output
    /// <see cref="Simd.StorePanel(ReadOnlySpan{double}, ReadOnlySpan{float}, Span{float}, Span{float}, int, Epilogue)"/>
    /// and the kernels' epilogues) gives the bits of the activation's step over the whole tensor,
    /// on whole and partial panels: for ReLU −0 (to +0) and NaN (kept), for the GELUs whatever
    /// lane or scalar tail an element falls in.
    /// </summary>
    [Theory]
    [InlineData(Epilogue.Relu, 16)]
    [InlineData(Epilogue.Relu, 32)]
    [InlineData(Epilogue.Relu, 7)]
    [InlineData(Epilogue.Relu, 21)]
    [InlineData(Epilogue.Gelu, 16)]
    [InlineData(Epilogue.Gelu, 45)]
    [InlineData(Epilogue.Gelu, 3)]
    [InlineData(Epilogue.GeluTanh, 32)]
    [InlineData(Epilogue.GeluTanh, 29)]
    [InlineData(Epilogue.Sigmoid, 16)]
    [InlineData(Epilogue.Sigmoid, 37)]
    [InlineData(Epilogue.Silu, 48)]
    [InlineData(Epilogue.Silu, 13)]
    [InlineData(Epilogue.Tanh, 32)]
    [InlineData(Epilogue.Tanh, 19)]
    public void A_fused_activation_gives_the_bits_of_its_step(Epilogue activation, int length)
    {
        double[] special = { -0.0, 0.0, double.NaN, -1e-45, 1e-45, -3.5, 2.25, double.NegativeInfinity, double.PositiveInfinity, -20, 1e9, -1e9, 1e-20 };
        double[] values = Enumerable.Range(0, length).Select(i => i < special.Length ? special[i] : Math.Sin(i) * 4).ToArray();
        float[] bias = Enumerable.Range(0, length).Select(i => i < special.Length ? 0f : 0.5f).ToArray();
        float[] z = new float[length], a = new float[length], fused = new float[length], expected = new float[length];
        for (int row = 0; row < length; row += PackedLinear.PanelWidth)
        {
            var sums = new double[PackedLinear.PanelWidth];
            values.AsSpan(row, Math.Min(PackedLinear.PanelWidth, length - row)).CopyTo(sums);
            Simd.StorePanel(sums, bias, z, a, row, activation);
            Simd.StorePanel(sums, bias, fused, row, 0, Math.Min(PackedLinear.PanelWidth, length - row), activation);
        }

        Step(activation)(z, expected);

        for (int i = 0; i < length; i++)
        {
            Assert.Equal((float)(values[i] + bias[i]), z[i]);
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(a[i]), $"a[{i}] = {a[i]:R}, the {activation} step gives {expected[i]:R}");
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(fused[i]), $"fused[{i}] = {fused[i]:R}, the {activation} step gives {expected[i]:R}");
        }
    }

    /// <summary>The activation's own step over a whole tensor, which a fused store must match.</summary>
    private static Action<float[], float[]> Step(Epilogue activation) => activation switch
    {
        Epilogue.Relu => (x, y) => Activations.Relu(x, y),
        Epilogue.Gelu => (x, y) => Activations.Gelu(x, y),
        Epilogue.GeluTanh => (x, y) => Activations.GeluTanh(x, y),
        Epilogue.Sigmoid => (x, y) => Activations.Sigmoid(x, y),
        Epilogue.Silu => (x, y) => Activations.Silu(x, y),
        Epilogue.Tanh => (x, y) => Activations.Tanh(x, y),
        _ => throw new ArgumentOutOfRangeException(nameof(activation)),
    };

    /// <summary>The activations computed in registers, with the one-value overloads unrolled layers call.</summary>
    private static readonly (string Name, Action<ReadOnlySpan<float>, Span<float>> Span, Func<float, float> Scalar)[] RegisterActivations =
    {
        ("gelu", Activations.Gelu, Activations.Gelu),
        ("gelu_tanh", Activations.GeluTanh, Activations.GeluTanh),
        ("sigmoid", Activations.Sigmoid, Activations.Sigmoid),
        ("silu", Activations.Silu, Activations.Silu),
        ("tanh", Activations.Tanh, Activations.Tanh),
    };

    /// <summary>
    /// The activations computed in registers (the GELUs, sigmoid, SiLU, tanh) give an element the
    /// same bits wherever it falls: in a 16-lane vector, an 8- or 4-lane one, a scalar tail, or
    /// the scalar overload that unrolled layers call, since fused layers apply them a panel at a
    /// time and every strategy must agree.
    /// </summary>
    [Fact]
    public void Register_activations_give_an_element_the_same_bits_at_every_position() =>
        Gen.OneOf(Gen.Float[-12f, 12f], Gen.Float[-1f, 1f], Gen.Float).Array[1, 80].Sample(x =>
        {
            foreach (var (name, activation, scalar) in RegisterActivations)
            {
                float[] whole = new float[x.Length];
                activation(x, whole);
                for (int i = 0; i < x.Length; i++)
                {
                    float[] one = new float[1];
                    activation(x.AsSpan(i, 1), one);
                    Assert.True(BitConverter.SingleToInt32Bits(whole[i]) == BitConverter.SingleToInt32Bits(one[0]), $"{name}({x[i]:R}): {whole[i]:R} at position {i} of {x.Length}, {one[0]:R} alone");
                    Assert.True(BitConverter.SingleToInt32Bits(whole[i]) == BitConverter.SingleToInt32Bits(scalar(x[i])), $"{name}({x[i]:R}): {whole[i]:R} at position {i} of {x.Length}, {scalar(x[i]):R} from the scalar overload");
                }
            }
        });

    /// <summary>The GELUs at the edges of float32: the limits, the underflow of e^(−a²), NaN.</summary>
    [Fact]
    public void Gelus_handle_the_edges_of_float32()
    {
        float[] x = { 0f, -0f, 1e-30f, -1e-30f, 10f, -10f, -13.2f, -14f, -20f, 88f, -88f, 1e20f, -1e20f, float.MaxValue, -float.MaxValue, float.PositiveInfinity, float.NaN };
        float[] gelu = new float[x.Length], tanh = new float[x.Length];
        Activations.Gelu(x, gelu);
        Activations.GeluTanh(x, tanh);
        for (int i = 0; i < x.Length - 2; i++)
        {
            double v = x[i];
            double tanhForm = Math.Abs(v) > 1e10 ? Math.Max(v, 0) : 0.5 * v * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (v + (0.044715 * v * v * v))));
            AssertClose(v * 0.5 * ReferenceNetwork.Erfc(-v / Math.Sqrt(2)), gelu[i], 1e-6, $"gelu({v:R})");
            AssertClose(tanhForm, tanh[i], 1e-6, $"gelu_tanh({v:R})");
        }

        Assert.True(float.IsPositiveInfinity(gelu[^2]) && float.IsPositiveInfinity(tanh[^2]));
        // A NaN comes back as it went in, so its bits do not depend on the JIT's operand order.
        float nan = BitConverter.Int32BitsToSingle(unchecked((int)0xFFC00123));
        Assert.Equal(BitConverter.SingleToInt32Bits(nan), BitConverter.SingleToInt32Bits(Activations.Gelu(nan)));
        Assert.Equal(BitConverter.SingleToInt32Bits(nan), BitConverter.SingleToInt32Bits(Activations.GeluTanh(nan)));
        float[] nans = Enumerable.Repeat(nan, 29).ToArray(), results = new float[29];
        foreach (var function in new Action<ReadOnlySpan<float>, Span<float>>[] { Activations.Gelu, Activations.GeluTanh })
        {
            function(nans, results);
            Assert.All(results, r => Assert.Equal(BitConverter.SingleToInt32Bits(nan), BitConverter.SingleToInt32Bits(r)));
        }

        Assert.True(float.IsNaN(gelu[^1]) && float.IsNaN(tanh[^1]));
    }

    /// <summary>The runtime's sigmoid, SiLU and tanh of <paramref name="x"/>.</summary>
    private static (float[] Sigmoid, float[] Silu, float[] Tanh) SigmoidSiluTanh(float[] x)
    {
        float[] sigmoid = new float[x.Length], silu = new float[x.Length], tanh = new float[x.Length];
        Activations.Sigmoid(x, sigmoid);
        Activations.Silu(x, silu);
        Activations.Tanh(x, tanh);
        return (sigmoid, silu, tanh);
    }

    /// <summary>
    /// Sigmoid, SiLU and tanh at the edges of float32: ±0 (tanh keeps −0), subnormals, the
    /// underflow of e^(−|x|), ±∞ and ±MaxValue without overflow, a NaN returned with its bits.
    /// </summary>
    [Fact]
    public void Sigmoid_silu_and_tanh_handle_the_edges_of_float32()
    {
        float[] x = { 0f, -0f, 1e-45f, -1e-45f, 1e-30f, -1e-30f, 0.625f, -0.625f, 0.62499994f, 9f, -9f, 20f, -20f, 87f, -87f, 88f, -88f, 100f, -100f, float.MaxValue, -float.MaxValue, float.PositiveInfinity, float.NegativeInfinity };
        var (sigmoid, silu, tanh) = SigmoidSiluTanh(x);
        for (int i = 0; i < x.Length; i++)
        {
            double v = x[i];
            double s = double.IsNegativeInfinity(v) ? 0 : 1 / (1 + Math.Exp(-v));
            AssertClose(s, sigmoid[i], 1e-6, $"sigmoid({v:R})");
            AssertClose(Math.Tanh(v), tanh[i], 1e-6, $"tanh({v:R})");
            if (!double.IsInfinity(v))
            {
                AssertClose(v * s, silu[i], 1e-6, $"silu({v:R})");
            }
        }

        Assert.Equal(BitConverter.SingleToInt32Bits(-0f), BitConverter.SingleToInt32Bits(tanh[1]));
        Assert.Equal(1e-45f, tanh[2]);
        Assert.Equal(1f, tanh[^2]);
        Assert.Equal(-1f, tanh[^1]);
        Assert.Equal(1f, sigmoid[^2]);
        Assert.Equal(0f, sigmoid[^1]);
        Assert.True(float.IsPositiveInfinity(silu[^2]));
        Assert.True(float.IsNaN(silu[^1]), "silu(−∞) = −∞·0, NaN as in PyTorch");
        float nan = BitConverter.Int32BitsToSingle(unchecked((int)0xFFC00123));
        float[] nans = Enumerable.Repeat(nan, 21).ToArray(), results = new float[21];
        foreach (var (name, span, scalar) in RegisterActivations)
        {
            span(nans, results);
            Assert.All(results, r => Assert.Equal(BitConverter.SingleToInt32Bits(nan), BitConverter.SingleToInt32Bits(r)));
            Assert.True(BitConverter.SingleToInt32Bits(nan) == BitConverter.SingleToInt32Bits(scalar(nan)), name);
        }
    }

    /// <summary>
    /// Sigmoid, SiLU and tanh are accurate relative to their result, not only to 1 + |y|: a few
    /// float32 ulps from tiny magnitudes (tanh near 0 is its polynomial, not 1 − 2/(e^(2x) + 1))
    /// to where the sigmoid's tail would be subnormal.
    /// </summary>
    [Fact]
    public void Sigmoid_silu_and_tanh_are_accurate_relative_to_their_result() =>
        Gen.Select(Gen.Double[-30, Math.Log10(80)], Gen.Bool).Array[1, 100].Sample(draws =>
        {
            float[] x = draws.Select(d => (float)(Math.Pow(10, d.Item1) * (d.Item2 ? 1 : -1))).ToArray();
            var (sigmoid, silu, tanh) = SigmoidSiluTanh(x);
            for (int i = 0; i < x.Length; i++)
            {
                double v = x[i];
                double s = 1 / (1 + Math.Exp(-v));
                AssertRelative(s, sigmoid[i], $"sigmoid({v:R})");
                AssertRelative(v * s, silu[i], $"silu({v:R})");
                AssertRelative(Math.Tanh(v), tanh[i], $"tanh({v:R})");
            }
        });

    [Fact]
    public void A_two_output_store_refuses_an_epilogue_without_an_activation()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Simd.StorePanel(new double[16], default, new float[16], new float[16], 0, Epilogue.None));
        Assert.Contains("Relu, Gelu, GeluTanh, Sigmoid, Silu or Tanh", e.Message);
    }

    [Fact]
    public void Packed_linear_refuses_an_undefined_epilogue()
    {
        float[] packed = new float[PackedLinear.PackedLength(3, 2)];
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => PackedLinear.Forward(packed, default, new float[2], new float[3], (Epilogue)42));
        Assert.Equal("epilogue", e.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => PackedLinear.ForwardBatch(packed, default, new float[2], new float[3], 2, 3, (Epilogue)(-1)));
    }

    /// <summary>
    /// Packed weights are copied to a 64-byte boundary, so that no vector load of a panel spans two
    /// cache lines, whatever the length or where the source lies; the values are unchanged.
    /// </summary>
    [Fact]
    public void Aligned_tensors_start_on_a_cache_line_and_keep_their_values() =>
        Gen.Select(Gen.Float[-3f, 3f].Array[0, 200], Gen.Int[0, 15]).Sample((values, skip) =>
        {
            float[] source = new float[values.Length + 16];
            values.CopyTo(source, skip);
            var tensor = new AlignedTensor(source.AsSpan(skip, values.Length));
            Assert.Equal(values.Length, tensor.Count);
            Assert.Equal(values, tensor.Values.ToArray());
            nint address = Unsafe.ByteOffset(ref Unsafe.NullRef<float>(), ref MemoryMarshal.GetReference(tensor.Values));
            Assert.True(address % AlignedTensor.Alignment == 0, $"starts at {address:X}");

            GC.Collect();
            Assert.Equal(values, tensor.Values.ToArray());
        });

    [Fact]
    public void Packed_linear_names_the_expected_lengths()
    {
        float[] packed = new float[PackedLinear.PackedLength(3, 2)];
        var e = Assert.Throws<ArgumentException>(() => PackedLinear.Forward(packed, default, new float[2], new float[17]));
        Assert.Contains("Expected packed to have length 64", e.Message);
        e = Assert.Throws<ArgumentException>(() => PackedLinear.ForwardBatch(packed, default, new float[4], new float[5], 2, 3));
        Assert.Contains("Expected y to have length 6", e.Message);
    }

    [Fact]
    public void Activations_match_their_float64_formulas() =>
        Gen.Float[-30f, 30f].Array[1, 300].Sample(x =>
        {
            Check(x, (a, b) => Activations.Relu(a, b), v => Math.Max(0, v));
            Check(x, (a, b) => Activations.LeakyRelu(a, b, 0.2f), v => v >= 0 ? v : 0.2f * v);
            Check(x, (a, b) => Activations.Gelu(a, b), v => v * 0.5 * ReferenceNetwork.Erfc(-v / Math.Sqrt(2)));
            Check(x, (a, b) => Activations.GeluTanh(a, b), v => 0.5 * v * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (v + (0.044715 * v * v * v)))));
            Check(x, (a, b) => Activations.Sigmoid(a, b), v => 1 / (1 + Math.Exp(-v)));
            Check(x, (a, b) => Activations.Silu(a, b), v => v / (1 + Math.Exp(-v)));
            Check(x, (a, b) => Activations.Tanh(a, b), Math.Tanh);
        });

    [Fact]
    public void Softmax_and_log_softmax_match_float64_and_survive_extreme_inputs() =>
        Gen.OneOf(Vectors, Gen.Float[-1e9f, 1e9f].Array[1, 300]).Sample(x =>
        {
            double max = x.Max();
            double sum = x.Sum(v => Math.Exp(v - max));
            float[] y = new float[x.Length];
            Activations.Softmax(x, y);
            for (int i = 0; i < x.Length; i++)
            {
                AssertClose(Math.Exp(x[i] - max) / sum, y[i], 1e-6);
            }

            float[] inPlace = (float[])x.Clone();
            Activations.Softmax(inPlace, inPlace);
            Assert.Equal(y, inPlace);

            Activations.LogSoftmax(x, y);
            for (int i = 0; i < x.Length; i++)
            {
                AssertClose(x[i] - max - Math.Log(sum), y[i], 1e-6);
            }

            inPlace = (float[])x.Clone();
            Activations.LogSoftmax(inPlace, inPlace);
            Assert.Equal(y, inPlace);
        });

    /// <summary>
    /// A NaN or +∞ among the inputs makes every output NaN, as in PyTorch (the shift by the
    /// maximum is then undefined); −∞ inputs give 0 and −∞ beside finite ones.
    /// </summary>
    [Fact]
    public void Softmaxes_propagate_nan_and_handle_infinities()
    {
        foreach (int n in new[] { 3, 10, 16, 37 })
        {
            foreach (float special in new[] { float.NaN, float.PositiveInfinity })
            {
                float[] x = Enumerable.Range(0, n).Select(i => (float)Math.Sin(i)).ToArray();
                x[n / 2] = special;
                float[] y = new float[n];
                Activations.Softmax(x, y);
                Assert.All(y, v => Assert.True(float.IsNaN(v)));
                Activations.LogSoftmax(x, y);
                Assert.All(y, v => Assert.True(float.IsNaN(v)));
            }

            float[] z = Enumerable.Range(0, n).Select(i => i % 2 == 0 ? float.NegativeInfinity : 1f).ToArray();
            float[] softmax = new float[n], logSoftmax = new float[n];
            Activations.Softmax(z, softmax);
            Activations.LogSoftmax(z, logSoftmax);
            for (int i = 0; i < n; i++)
            {
                Assert.Equal(i % 2 == 0 ? 0f : 1f / (n / 2), softmax[i], 1e-6f);
                Assert.Equal(i % 2 == 0 ? float.NegativeInfinity : -(float)Math.Log(n / 2), logSoftmax[i], 1e-6f);
            }
        }
    }

    [Fact]
    public void Norms_keep_their_digits_when_the_mean_is_large_and_the_spread_small() =>
        Gen.Select(Vectors, Gen.Float[-1000f, 1000f]).Sample((noise, offset) =>
        {
            float[] x = noise.Select(v => offset + (v / 100)).ToArray();
            double[] d = x.Select(v => (double)v).ToArray();
            double mean = d.Average();
            double variance = d.Select(v => (v - mean) * (v - mean)).Average();
            float[] y = new float[x.Length];

            Normalization.LayerNorm(x, y, default, default, 1e-5);
            for (int i = 0; i < x.Length; i++)
            {
                AssertClose((d[i] - mean) / Math.Sqrt(variance + 1e-5), y[i], 1e-6);
            }

            double rms = Math.Sqrt(d.Select(v => v * v).Average() + 1e-6);
            Normalization.RmsNorm(x, y, default, 1e-6);
            for (int i = 0; i < x.Length; i++)
            {
                AssertClose(d[i] / rms, y[i], 1e-6);
            }
        });

    [Fact]
    public void Kernels_refuse_mismatched_lengths_with_the_expected_size()
    {
        var e = Assert.Throws<ArgumentException>(() => Activations.Softmax(new float[2], new float[3]));
        Assert.Contains("Expected y to have length 2", e.Message);
    }

    private static void Check(float[] x, Action<float[], float[]> kernel, Func<double, double> reference)
    {
        float[] y = new float[x.Length];
        kernel(x, y);
        for (int i = 0; i < x.Length; i++)
        {
            AssertClose(reference(x[i]), y[i], 1e-6);
        }
    }

    /// <summary>Within 4 float32 ulps of <paramref name="expected"/>, relative to it (2⁻²¹).</summary>
    private static void AssertRelative(double expected, float actual, string where)
    {
        double error = Math.Abs(actual - expected) / Math.Abs(expected);
        Assert.True(error <= 4.8e-7, $"{where}: expected {expected:R}, found {actual:R}: relative error {error:E2}");
    }

    private static void AssertClose(double expected, float actual, double tolerance, string? where = null)
    {
        double error = Math.Abs(actual - expected) / (1 + Math.Abs(expected));
        Assert.True(error <= tolerance, $"{where}{(where is null ? "" : ": ")}expected {expected:R}, found {actual:R}: relative error {error:E2} > {tolerance:E0}");
    }
}

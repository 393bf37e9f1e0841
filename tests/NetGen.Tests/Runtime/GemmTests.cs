using System;
using NetGen.Runtime;
using Xunit;

namespace NetGen.Tests.Runtime;

/// <summary>
/// The trainable model's matrix products (<see cref="Gemm"/>) on every register tile and every
/// remainder the shapes leave: rows 1 to 27 and a trainable layer's 64 and 128 (tiles of 6 rows
/// where a vector has 16 registers, of 4 with <c>Vector512</c>, single rows), columns on both
/// sides of each multiple of the vector width, depths across the 64-term blocks, and <c>A</c>
/// read row-major and transposed, as the forward pass and the two gradients read it. CI runs them
/// at every vector width and without intrinsics (the scalar path).
/// </summary>
public sealed class GemmTests
{
    private static readonly int[] Rows = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 16, 18, 20, 22, 27, 64, 128];

    private static readonly int[] Depths = [1, 5, 64, 65, 200];

    /// <summary>
    /// Each output within the proven bound of its summation order: float32 chains of
    /// <see cref="Gemm.BlockLength"/> terms, each added into <c>C</c> in float32, errs by at most
    /// γₙ·(|C₀| + Σ|a·b|) with n = the block's terms plus the blocks plus one (γₙ = nu/(1 − nu), u = 2⁻²⁴).
    /// </summary>
    [Fact]
    public void Multiply_is_within_the_bound_of_its_summation_order_on_every_tile()
    {
        var random = new Random(7);
        foreach (int m in Rows)
        {
            foreach (int n in Columns())
            {
                foreach (int k in Depths)
                {
                    foreach (bool transposed in new[] { false, true })
                    {
                        foreach (bool accumulate in new[] { false, true })
                        {
                            var (a, aRow, aColumn) = Left(random, m, k, transposed);
                            var b = Values(random, k * n);
                            var c0 = Values(random, m * n);
                            var c = (float[])c0.Clone();
                            Gemm.Multiply(a, aRow, aColumn, b, n, c, n, m, n, k, accumulate);

                            int blocks = (k + Gemm.BlockLength - 1) / Gemm.BlockLength;
                            double gamma = Gamma(Math.Min(k, Gemm.BlockLength) + blocks + 1);
                            for (int i = 0; i < m; i++)
                            {
                                for (int j = 0; j < n; j++)
                                {
                                    double start = accumulate ? c0[(i * n) + j] : 0;
                                    double exact = start;
                                    double magnitude = Math.Abs(start);
                                    for (int p = 0; p < k; p++)
                                    {
                                        double term = (double)a[(i * aRow) + (p * aColumn)] * b[(p * n) + j];
                                        exact += term;
                                        magnitude += Math.Abs(term);
                                    }

                                    double error = Math.Abs(c[(i * n) + j] - exact);
                                    Assert.True(
                                        error <= (gamma * magnitude) + 1e-30,
                                        $"C[{i}, {j}] of {m} × {n} × {k} (transposed {transposed}, accumulate {accumulate}): {c[(i * n) + j]:R} against {exact:R}, error {error:E2} over the bound {gamma * magnitude:E2}.");
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// A row's bits do not depend on the tile it falls in: the product of all rows at once equals,
    /// bit for bit, each row multiplied alone (the one-row tile).
    /// </summary>
    [Fact]
    public void Every_row_has_the_bits_of_the_same_row_multiplied_alone()
    {
        var random = new Random(11);
        foreach (int m in Rows)
        {
            foreach (int n in Columns())
            {
                foreach (bool transposed in new[] { false, true })
                {
                    const int K = 70;
                    var (a, aRow, aColumn) = Left(random, m, K, transposed);
                    var b = Values(random, K * n);
                    var c0 = Values(random, m * n);
                    var all = (float[])c0.Clone();
                    Gemm.Multiply(a, aRow, aColumn, b, n, all, n, m, n, K, accumulate: true);
                    for (int i = 0; i < m; i++)
                    {
                        var row = c0.AsSpan(i * n, n).ToArray();
                        Gemm.Multiply(a.AsSpan(i * aRow), aRow, aColumn, b, n, row, n, 1, n, K, accumulate: true);
                        for (int j = 0; j < n; j++)
                        {
                            Assert.True(
                                BitConverter.SingleToInt32Bits(row[j]) == BitConverter.SingleToInt32Bits(all[(i * n) + j]),
                                $"C[{i}, {j}] of {m} × {n} (transposed {transposed}): {all[(i * n) + j]:R} in the whole product, {row[j]:R} alone.");
                        }
                    }
                }
            }
        }
    }

    /// <summary><see cref="Gemm.MultiplyTransposed"/> (<c>C = A Bᵀ + b</c>, a narrow batch's forward pass) against float64.</summary>
    [Fact]
    public void MultiplyTransposed_is_within_the_bound_of_its_summation_order()
    {
        var random = new Random(13);
        foreach (int m in new[] { 1, 3, 4, 5, 9 })
        {
            foreach (int n in new[] { 1, 2, 3, 4, 7, 10 })
            {
                foreach (int k in new[] { 1, 9, 64, 100, 1100 })
                {
                    var a = Values(random, m * k);
                    var b = Values(random, n * k);
                    var bias = Values(random, n);
                    var c = new float[m * n];
                    Gemm.MultiplyTransposed(a, k, b, k, bias, c, n, m, n, k);

                    // Lanes of a chain hold every width-th term; at most 64 terms a chain.
                    double gamma = Gamma(PackedLinear.BlockLength + (k / PackedLinear.BlockLength) + 3);
                    for (int i = 0; i < m; i++)
                    {
                        for (int j = 0; j < n; j++)
                        {
                            double exact = bias[j];
                            double magnitude = Math.Abs(bias[j]);
                            for (int p = 0; p < k; p++)
                            {
                                double term = (double)a[(i * k) + p] * b[(j * k) + p];
                                exact += term;
                                magnitude += Math.Abs(term);
                            }

                            double error = Math.Abs(c[(i * n) + j] - exact);
                            Assert.True(
                                error <= (gamma * magnitude) + (Math.Abs(exact) * 6e-8) + 1e-30,
                                $"C[{i}, {j}] of {m} × {n} × {k}: {c[(i * n) + j]:R} against {exact:R}, error {error:E2}.");
                        }
                    }
                }
            }
        }
    }

    /// <summary>Column counts around each multiple of the widths a tile spans (1 to 4 vectors), and a batch of 32 and a layer of 40.</summary>
    private static int[] Columns()
    {
        int w = Gemm.Width;
        return [1, 3, w - 1, w, w + 1, (2 * w) + 3, 3 * w, (4 * w) + 5, 32, 40];
    }

    /// <summary>A <c>[m, k]</c> matrix <c>A</c>, stored as it is (row i at i · k) or transposed (row i a column of a <c>[k, m]</c> array), with the strides that read it.</summary>
    private static (float[] Values, int Row, int Column) Left(Random random, int m, int k, bool transposed) =>
        (Values(random, m * k), transposed ? 1 : k, transposed ? m : 1);

    private static float[] Values(Random random, int length)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return values;
    }

    private static double Gamma(int n)
    {
        const double U = 1.0 / (1 << 24);
        return n * U / (1 - (n * U));
    }
}

using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using NetGen.Generator.Lowering;

namespace NetGen.Generator.Emit;

/// <summary>The math of each step, in the notation of the format's tables, for the comment above its call.</summary>
internal static class StepMath
{
    public static IEnumerable<string> Describe(StepPlan step, IReadOnlyDictionary<string, int> sizes)
    {
        string x = step.Inputs[0];
        string y = step.Output;
        string n = sizes[x].ToString(CultureInfo.InvariantCulture);
        string m = sizes[y].ToString(CultureInfo.InvariantCulture);
        yield return $"layer {step.Layer}: " + step.Kind switch
        {
            StepKind.Linear => $"linear {n} → {m}",
            StepKind.Add => $"residual, {m}",
            StepKind.SwiGluGate => $"swiglu gating, {m}",
            StepKind.Slice => $"slice, {n} → {m}",
            StepKind.ArgMax => $"argmax, {n} → {m}",
            _ => step.OpName + ", " + m,
        };

        yield return "  " + step.Kind switch
        {
            StepKind.Linear => $"{y} = {step.Weights[0]} · {x}" + (step.Weights[1].Length > 0 ? $" + {step.Weights[1]}" : string.Empty),
            StepKind.Activation => $"{y}{(step.Function!.Elementwise ? string.Empty : "ᵢ")} = " + step.Function.Definition(x, step.Arguments.Select(a => Literals.Number(a)).ToArray()),
            StepKind.LayerNorm => $"{y} = ({x} − mean({x})) / √(var({x}) + ε)" + Affine(step.Weights[0], step.Weights[1]) + Epsilon(step),
            StepKind.RmsNorm => $"{y} = {x} / √(mean({x}²) + ε)" + Affine(step.Weights[0], string.Empty) + Epsilon(step),
            StepKind.BatchNorm => $"{y} = {x} ⊙ {step.Weights[0]} + {step.Weights[1]},  {step.Weights[0]} = γ / √(running_var + ε),  {step.Weights[1]} = β − running_mean ⊙ {step.Weights[0]}" + Epsilon(step),
            StepKind.Affine => $"{y} = {x} ⊙ {step.Weights[0]} + {step.Weights[1]}",
            StepKind.Slice => $"{y} = {x}[{Literals.Int((long)step.Scalar)} : {Literals.Int((long)step.Scalar + sizes[y])}]",
            StepKind.Mask => Mask(step, x, y, sizes[y]),
            StepKind.ArgMax => ArgMax(step, x, y),
            StepKind.Add => $"{y} = {x} + {step.Inputs[1]}",
            _ => $"{y} = silu({x}) ⊙ {step.Inputs[1]}",
        };
    }

    /// <summary>A mask step's math: <c>y = x ⊙ m + fill ⊙ (1 − m),  m = input[a : b]</c>.</summary>
    public static string Mask(StepPlan step, string x, string y, int size) => Mask(x, y, step.Inputs[1], (long)step.Arguments[0], size, (float)step.Scalar);

    /// <summary>The mask's math for forward comments, of any plan: <paramref name="input"/>'s features <c>[offset, offset + size)</c> are m.</summary>
    public static string Mask(string x, string y, string input, long offset, int size, float fill) =>
        $"{y} = {x} ⊙ m + {Literals.Number(fill)} ⊙ (1 − m),  m = {input}[{Literals.Int(offset)} : {Literals.Int(offset + size)}]";

    /// <summary>An argmax step's math: the first index of the largest value in each group.</summary>
    public static string ArgMax(StepPlan step, string x, string y) => ArgMax(step.Arguments, step.Scalar != 0, x, y);

    /// <summary>The argmax's math for comments of any plan, its groups' sizes given, and whether it picks the last of equal values.</summary>
    public static string ArgMax(IReadOnlyList<float> groups, bool last, string x, string y) => groups.Count == 1
        ? $"{y} = argmax {x} (the {(last ? "last" : "first")} index of the largest value, as a float)"
        : $"{y} = [{string.Join(", ", Groups(groups).Select(g => $"argmax {x}[{Literals.Int(g.Start)} : {Literals.Int(g.Start + g.Size)}]"))}] (in each group, the {(last ? "last" : "first")} index of the largest value, as a float)";

    /// <summary>An argmax's groups, from their sizes: where each starts in its input, and its size.</summary>
    public static IEnumerable<(long Start, long Size)> Groups(IReadOnlyList<float> sizes)
    {
        long start = 0;
        foreach (float size in sizes)
        {
            yield return (start, (long)size);
            start += (long)size;
        }
    }

    private static string Affine(string weight, string bias) =>
        (weight.Length > 0 ? " ⊙ " + weight : string.Empty) + (bias.Length > 0 ? " + " + bias : string.Empty);

    private static string Epsilon(StepPlan step) => ",  ε = " + step.Scalar.ToString("R", CultureInfo.InvariantCulture);
}

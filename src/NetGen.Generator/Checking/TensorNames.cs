using System.Collections.Generic;
using System.Globalization;
using NetGen.Generator.Model;

namespace NetGen.Generator.Checking;

/// <summary>
/// The rule that names every tensor a layer produces: the fields of the generated Cache.
/// </summary>
/// <remarks>
/// <para>
/// A layer with a <c>name</c> has its output named so. An unnamed layer's output is a letter for
/// its kind followed by its stage number: <c>Z</c> a linear layer (before any activation),
/// <c>A</c> an activation, <c>N</c> a norm or an affine layer, <c>P</c> a slice (part) of a tensor, <c>M</c> a masked tensor, <c>I</c> the indices of an argmax, <c>R</c> a residual sum, <c>S</c> a swiglu block.
/// </para>
/// <para>
/// Stages count the layers of a sequence that are not activations, from 1; an activation
/// belongs to the stage of the layer it follows, so <c>linear, relu, linear, softmax</c> gives
/// Z1, A1, Z2, A2, exactly as a linear layer's <c>activation</c> shorthand does. A second
/// activation in one stage takes the letter b, a third c, and so on (A1b: a dropout after a
/// relu). An activation that opens a sequence opens stage 1. Inside a residual at stage k,
/// stages are numbered k_1, k_2, ...: its layers are Z3_1, A3_1, ... and its sum R3.
/// </para>
/// <para>
/// Layers with more than one tensor add suffixes: a linear layer with an activation shorthand
/// calls its pre-activation <c>{name}_z</c> when named (Z{k} when not); a swiglu block calls
/// its inner products <c>{out}_gate</c> (gate·x), <c>{out}_up</c> (up·x) and <c>{out}_hidden</c>
/// (silu(gate·x) ⊙ up·x), where <c>{out}</c> is its output's name.
/// </para>
/// </remarks>
internal static class TensorNames
{
    /// <summary>Member names of the generated class and Cache that a layer name must not take.</summary>
    public static readonly HashSet<string> Reserved = new()
    {
        "Cache", "InputSize", "OutputSize", "ParameterCount", "Forward", "ForwardBatch", "ForwardCore", "ForwardBatchCore",
        "Weights", "Layers", "ScratchLength", "BatchRows",

        // Parameter names of the generated methods, which share a scope with the tensor names.
        "input", "output", "inputs", "outputs", "cache", "scratch", "rows", "row", "count", "start",
    };

    /// <summary>
    /// The member name of an input part or a constant: its name in PascalCase, split at
    /// underscores (<c>obs_0</c> is <c>Obs0</c>, <c>version_number</c> <c>VersionNumber</c>).
    /// </summary>
    public static string Member(string name)
    {
        var s = new System.Text.StringBuilder(name.Length);
        foreach (string word in name.Split('_'))
        {
            if (word.Length > 0)
            {
                s.Append(char.ToUpperInvariant(word[0])).Append(word, 1, word.Length - 1);
            }
        }

        return s.Length == 0 ? name : s.ToString();
    }

    /// <summary>The description's own numbering of a layer, for messages: "3", or "3.2" inside a residual.</summary>
    public static string Index(string? parentIndex, int index) =>
        (parentIndex is null ? string.Empty : parentIndex + ".") + index.ToString(CultureInfo.InvariantCulture);

    /// <summary>The stage label of each layer of a sequence (see the remarks).</summary>
    public static string[] Stages(EquatableArray<LayerSpec> layers, string? parentStage)
    {
        var labels = new string[layers.Count];
        int stage = 0;
        int activations = 0;
        for (int i = 0; i < layers.Count; i++)
        {
            LayerSpec layer = layers[i];
            bool isActivation = layer is ActivationSpec;
            if (!isActivation || stage == 0)
            {
                stage++;
                activations = layer is LinearSpec { Activation: not null } ? 1 : 0;
            }

            string label = (parentStage is null ? string.Empty : parentStage + "_") + stage.ToString(CultureInfo.InvariantCulture);
            if (isActivation)
            {
                activations++;
                label += activations == 1 ? string.Empty : activations <= 26 ? ((char)('a' + activations - 1)).ToString() : "_" + activations.ToString(CultureInfo.InvariantCulture);
            }

            labels[i] = label;
        }

        return labels;
    }

    /// <summary>The name of the layer's output tensor.</summary>
    public static string Output(LayerSpec layer, string stage)
    {
        if (layer.Name is not null)
        {
            return layer.Name;
        }

        return layer switch
        {
            LinearSpec { Activation: not null } => "A" + stage,
            LinearSpec => "Z" + stage,
            ActivationSpec => "A" + stage,
            NormSpec or AffineSpec => "N" + stage,
            SliceSpec => "P" + stage,
            MaskSpec => "M" + stage,
            ArgMaxSpec => "I" + stage,
            ResidualSpec => "R" + stage,
            _ => "S" + stage,
        };
    }

    /// <summary>The linear layer's pre-activation tensor when it has an activation shorthand.</summary>
    public static string PreActivation(LinearSpec layer, string stage) => layer.Name is null ? "Z" + stage : layer.Name + "_z";

    public static string SwiGluGate(string output) => output + "_gate";

    public static string SwiGluUp(string output) => output + "_up";

    public static string SwiGluHidden(string output) => output + "_hidden";

    /// <summary>Every tensor name the layer defines, its output last.</summary>
    public static IEnumerable<string> All(LayerSpec layer, string stage)
    {
        string output = Output(layer, stage);
        switch (layer)
        {
            case LinearSpec { Activation: not null } linear:
                yield return PreActivation(linear, stage);
                break;
            case SwiGluSpec:
                yield return SwiGluGate(output);
                yield return SwiGluUp(output);
                yield return SwiGluHidden(output);
                break;
        }

        yield return output;
    }
}

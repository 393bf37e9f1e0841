using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Model;

namespace NetGen.Generator.Checking;

/// <summary>
/// Infers the size of every tensor of a read description and checks that the layers agree
/// with one another: shapes against the size each layer receives, residual blocks that keep
/// the size, names that are valid and unique. The reader has checked everything local.
/// </summary>
internal sealed class NetworkChecker
{
    private static readonly Regex NamePattern = new("^[A-Za-z][A-Za-z0-9_]*$", RegexOptions.CultureInvariant);

    /// <summary>Longer names are refused: they become identifiers and appear in messages.</summary>
    private const int MaxNameLength = 128;

    private readonly NetworkSpec _spec;
    private readonly List<DiagnosticInfo> _diagnostics;
    private readonly Dictionary<string, SourceRange> _names = new(System.StringComparer.Ordinal);
    private readonly CancellationToken _cancellationToken;
    private readonly List<int> _inputSizes = new();

    private NetworkChecker(NetworkSpec spec, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        _spec = spec;
        _diagnostics = diagnostics;
        _cancellationToken = cancellationToken;
    }

    /// <summary>Checks <paramref name="spec"/>: the checked network when it has no errors (then every size agrees), else null.</summary>
    /// <param name="spec">What the reader read.</param>
    /// <param name="diagnostics">Receives every error.</param>
    /// <param name="cancellationToken">Cancels the build.</param>
    /// <param name="readingFailed">
    /// The reader reported errors, and <paramref name="spec"/> holds the layers it could read: only
    /// their values are checked, so that one build still reports every error.
    /// </param>
    public static CheckedNetwork? Check(NetworkSpec spec, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken, bool readingFailed = false)
    {
        int before = diagnostics.Count;
        var checker = new NetworkChecker(spec, diagnostics, cancellationToken);
        checker.CheckValues(spec.Layers);
        if (readingFailed)
        {
            return null;
        }

        int output = checker.CheckLayers(spec.Layers, spec.InputSize, parentIndex: null, parentStage: null);
        checker.CheckMembers();
        return diagnostics.Count == before ? new CheckedNetwork(CheckedNetwork.WithoutPositions(spec), output, checker._inputSizes.ToEquatableArray()) : null;
    }

    /// <summary>
    /// The input parts and constants: valid names whose generated members (<c>{Name}Offset</c>,
    /// <c>{Name}Size</c>, <c>{Name}</c>) are unique and not NetGen's own, parts that add up to the
    /// input, constants with values.
    /// </summary>
    private void CheckMembers()
    {
        var members = new Dictionary<string, SourceRange>(System.StringComparer.Ordinal);
        void Member(string name, SourceRange range)
        {
            if (TensorNames.Reserved.Contains(name))
            {
                Report(DiagnosticDescriptors.InvalidName, range, name, ", other than a member NetGen generates (" + string.Join(", ", TensorNames.Reserved) + ")");
            }
            else if (members.ContainsKey(name))
            {
                Report(DiagnosticDescriptors.DuplicateMember, range, name);
            }
            else
            {
                members.Add(name, range);
            }
        }

        bool Valid(string name, SourceRange range)
        {
            if (NamePattern.IsMatch(name) && name.Length <= MaxNameLength)
            {
                return true;
            }

            Report(DiagnosticDescriptors.InvalidName, range, Printable(name), name.Length > MaxNameLength ? $", at most {MaxNameLength} characters" : string.Empty);
            return false;
        }

        long total = 0;
        foreach (var part in _spec.Inputs)
        {
            total += part.Size;
            if (Valid(part.Name, part.Range))
            {
                string member = TensorNames.Member(part.Name);
                Member(member + "Offset", part.Range);
                Member(member + "Size", part.Range);
            }
        }

        if (_spec.Inputs.Count > 0 && total != _spec.InputSize)
        {
            Report(DiagnosticDescriptors.SizeMismatch, _spec.Inputs[0].Range, "\"inputs\"",
                $"parts whose sizes add up to \"input\", {Format(_spec.InputSize)}", $"sizes that add up to {total.ToString(CultureInfo.InvariantCulture)}");
        }

        foreach (var constant in _spec.Constants)
        {
            if (Valid(constant.Name, constant.Range))
            {
                Member(TensorNames.Member(constant.Name), constant.Range);
            }
        }
    }

    /// <summary>Checks a sequence of layers fed <paramref name="size"/> features; returns the size it produces.</summary>
    private int CheckLayers(EquatableArray<LayerSpec> layers, int size, string? parentIndex, string? parentStage)
    {
        string[] stages = TensorNames.Stages(layers, parentStage);
        for (int i = 0; i < layers.Count; i++)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            LayerSpec layer = layers[i];
            CheckNames(layer, stages[i]);
            _inputSizes.Add(size);
            size = CheckLayer(layer, size, TensorNames.Index(parentIndex, i + 1), stages[i]);
        }

        return size;
    }

    private int CheckLayer(LayerSpec layer, int size, string index, string stage)
    {
        string where = $"layer {index} ({Describe(layer)})";
        switch (layer)
        {
            case LinearSpec linear:
                CheckMatrix(linear.Weight, linear.Out, size, where + " \"weight\"", "\"out\"");
                CheckVector(linear.Bias, linear.Out, where + " \"bias\"");
                return linear.Out;

            case NormSpec norm:
                CheckVector(norm.Weight, size, where + " \"weight\"");
                CheckVector(norm.Bias, size, where + " \"bias\"");
                CheckVector(norm.RunningMean, size, where + " \"running_mean\"");
                CheckVector(norm.RunningVar, size, where + " \"running_var\"");
                return size;

            case SliceSpec slice:
            {
                int end = slice.End ?? size;
                if (end > size)
                {
                    Report(DiagnosticDescriptors.SizeMismatch, slice.EndRange, where + " \"end\"", $"at most the size of this layer's input, {Format(size)}", Format(end));
                    return size;
                }

                if (slice.Start >= end)
                {
                    Report(DiagnosticDescriptors.InvalidValue, slice.StartRange, where + " \"start\"", $"a feature before \"end\" ({Format(end)})", Format(slice.Start));
                    return size;
                }

                return end - slice.Start;
            }

            case MaskSpec mask:
            {
                // m is |x| features of the input: of the named part, or of the whole input.
                int available = _spec.InputSize;
                if (mask.Input is { } partName)
                {
                    InputPart? part = _spec.Inputs.FirstOrDefault(p => p.Name == partName);
                    if (part is null)
                    {
                        string parts = _spec.Inputs.Count == 0 ? "none are declared in \"inputs\"" : string.Join(", ", _spec.Inputs.Select(p => "\"" + p.Name + "\""));
                        Report(DiagnosticDescriptors.InvalidValue, mask.InputRange, where + " \"input\"", $"the name of an input part ({parts})", "\"" + Printable(partName) + "\"");
                        return size;
                    }

                    available = part.Size;
                }

                if ((long)mask.Start + size > available)
                {
                    string of = mask.Input is null ? "the network's input" : $"the input part \"{mask.Input}\"";
                    Report(DiagnosticDescriptors.SizeMismatch, mask.StartRange, where + " \"start\"",
                        $"a start from which this layer's {Format(size)} features fit in {of} ({Format(available)} features)", Format(mask.Start));
                }

                return size;
            }

            case ArgMaxSpec argmax:
            {
                if (argmax.Groups.Count == 0)
                {
                    return 1;
                }

                long total = argmax.Groups.Sum(g => (long)g);
                if (total != size)
                {
                    Report(DiagnosticDescriptors.SizeMismatch, argmax.GroupsRange, where + " \"groups\"",
                        $"group sizes that add up to this layer's input, {Format(size)}", $"sizes that add up to {total.ToString(CultureInfo.InvariantCulture)}");
                }

                return argmax.Groups.Count;
            }

            case AffineSpec affine:
                CheckBroadcastVector(affine.Scale, size, where + " \"scale\"");
                CheckBroadcastVector(affine.Shift, size, where + " \"shift\"");
                return size;

            case ResidualSpec residual:
                int inner = CheckLayers(residual.Layers, size, index, stage);
                if (inner != size)
                {
                    Report(DiagnosticDescriptors.SizeMismatch, residual.Range, where,
                        $"inner layers that keep the size {Format(size)} (y = x + f(x))", $"layers that end with size {Format(inner)}");
                }

                return size;

            case SwiGluSpec swiglu:
                int outSize = swiglu.Out ?? size;
                CheckMatrix(swiglu.Gate, swiglu.Hidden, size, where + " \"gate\"", "\"hidden\"");
                CheckMatrix(swiglu.Up, swiglu.Hidden, size, where + " \"up\"", "\"hidden\"");
                CheckMatrix(swiglu.Down, outSize, swiglu.Hidden, where + " \"down\"", swiglu.Out is null ? "the input size (\"out\" absent)" : "\"out\"");
                return outSize;

            default:
                return size;
        }
    }

    /// <summary>Every number a layer was given against its rule: the catalogue's for activation parameters, positive for epsilons.</summary>
    private void CheckValues(EquatableArray<LayerSpec> layers)
    {
        foreach (LayerSpec layer in layers)
        {
            switch (layer)
            {
                case ActivationSpec activation:
                    for (int p = 0; p < activation.Parameters.Count; p++)
                    {
                        CheckValue(activation.Parameters[p], activation.Form.Parameters[p].Rule);
                    }

                    break;
                case LinearSpec { Activation: { } shorthand }:
                    CheckValues(new EquatableArray<LayerSpec>(new LayerSpec[] { shorthand }));
                    break;
                case NormSpec norm:
                    CheckEpsilon(norm.Epsilon);
                    break;
                case ResidualSpec residual:
                    CheckValues(residual.Layers);
                    break;
            }
        }
    }

    /// <summary>An activation parameter against its rule in the catalogue.</summary>
    private void CheckValue(ValueSpec value, ParameterRule rule)
    {
        double v = value.Value;
        if (!value.IsWritten)
        {
            return;
        }

        if (rule == ParameterRule.Probability && !(v >= 0 && v < 1))
        {
            Report(DiagnosticDescriptors.InvalidValue, value.Range, value.Label, "a probability in [0, 1)", value.Written);
        }
        else if (rule == ParameterRule.Positive && !(v > 0 && !double.IsInfinity(v) && !float.IsInfinity((float)v) && (float)v > 0))
        {
            Report(DiagnosticDescriptors.InvalidValue, value.Range, value.Label, "a positive number", value.Written);
        }
        else if (rule == ParameterRule.Finite && (double.IsNaN(v) || double.IsInfinity(v) || float.IsInfinity((float)v)))
        {
            Report(DiagnosticDescriptors.NonFiniteValue, value.Range, value.Label, value.Written);
        }
    }

    /// <summary>A norm's epsilon: positive, and not 0 once rounded to float32 (the kernels add it in float).</summary>
    private void CheckEpsilon(ValueSpec eps)
    {
        double v = eps.Value;
        if (eps.IsWritten && (!(v > 0) || double.IsInfinity(v) || float.IsInfinity((float)v) || (float)v == 0))
        {
            Report(DiagnosticDescriptors.InvalidValue, eps.Range, eps.Label, "a positive number", eps.Written);
        }
    }

    private void CheckMatrix(TensorSpec tensor, int rows, int columns, string what, string rowsSource)
    {
        int actualRows = tensor.Shape[0];
        int actualColumns = tensor.Shape[1];
        if (actualRows == rows && actualColumns == columns)
        {
            return;
        }

        if (actualColumns != columns && actualRows == rows)
        {
            Report(DiagnosticDescriptors.SizeMismatch, tensor.Range, what,
                $"{Format(columns)} columns (the size of this layer's input)", $"{Format(actualColumns)} columns");
            return;
        }

        Report(DiagnosticDescriptors.WrongShape, tensor.Range, what,
            $"shape [{Format(rows)}, {Format(columns)}] ({Format(rows)} rows from {rowsSource}, {Format(columns)} columns from this layer's input size)",
            "shape " + Text.Shape(tensor.Shape));
    }

    private void CheckVector(TensorSpec? tensor, int length, string what)
    {
        if (tensor is not null && tensor.Shape[0] != length)
        {
            Report(DiagnosticDescriptors.WrongShape, tensor.Range, what, $"shape [{Format(length)}]", "shape " + Text.Shape(tensor.Shape));
        }
    }

    /// <summary>A vector of one value (for every feature) or of <paramref name="length"/>.</summary>
    private void CheckBroadcastVector(TensorSpec? tensor, int length, string what)
    {
        if (tensor is not null && tensor.Shape[0] != length && tensor.Shape[0] != 1)
        {
            Report(DiagnosticDescriptors.WrongShape, tensor.Range, what, $"a number or shape [{Format(length)}]", "shape " + Text.Shape(tensor.Shape));
        }
    }

    private void CheckNames(LayerSpec layer, string stage)
    {
        SourceRange where = layer.Name is null ? layer.Range : layer.NameRange;
        if (layer.Name is not null)
        {
            if (!NamePattern.IsMatch(layer.Name) || layer.Name.Length > MaxNameLength)
            {
                Report(DiagnosticDescriptors.InvalidName, where, Printable(layer.Name), layer.Name.Length > MaxNameLength ? $", at most {MaxNameLength} characters" : string.Empty);
                return;
            }

            if (TensorNames.Reserved.Contains(layer.Name))
            {
                Report(DiagnosticDescriptors.InvalidName, where, layer.Name, ", other than a member NetGen generates (" + string.Join(", ", TensorNames.Reserved) + ")");
                return;
            }
        }

        foreach (string name in TensorNames.All(layer, stage))
        {
            if (_names.ContainsKey(name))
            {
                Report(DiagnosticDescriptors.DuplicateName, where, name);
            }
            else
            {
                _names.Add(name, where);
            }
        }
    }

    private static string Describe(LayerSpec layer) =>
        LayerOpNames.Of(layer) + (layer.Name is null ? string.Empty : " \"" + layer.Name + "\"");

    private static string Printable(string s) => Text.Printable(s.Length > 40 ? s.Substring(0, 40) + "..." : s);

    private static string Format(int value) => value.ToString(CultureInfo.InvariantCulture);

    private void Report(Microsoft.CodeAnalysis.DiagnosticDescriptor descriptor, SourceRange range, params string[] arguments) =>
        _diagnostics.Add(DiagnosticInfo.Create(descriptor.Id, _spec.FilePath, range, arguments));
}

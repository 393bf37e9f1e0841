using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Model;

namespace NetGen.Generator.Reading;

/// <summary>
/// Reads the attribute form of a description, <c>[Network(input: n)]</c> followed by one
/// attribute per layer, into the same <see cref="NetworkSpec"/> the JSON reader produces, so
/// that both forms are checked, planned and emitted by the same code. Errors point at the
/// attribute argument, and inside a tensor string at the offending number.
/// </summary>
internal sealed class AttributeNetworkReader
{
    private const string Namespace = "NetGen";

    private readonly string _path;
    private readonly List<DiagnosticInfo> _diagnostics;
    private readonly CancellationToken _cancellationToken;

    private AttributeNetworkReader(string path, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        _path = path;
        _diagnostics = diagnostics;
        _cancellationToken = cancellationToken;
    }

    /// <summary>True for the layer attributes of the attribute form (and [EndResidual]).</summary>
    public static bool IsLayerAttribute(AttributeData attribute) =>
        attribute.AttributeClass is { ContainingNamespace: { Name: Namespace, ContainingNamespace.IsGlobalNamespace: true } } type
        && (FormOf(type.Name) is not null || type.Name == "EndResidualAttribute");

    /// <summary>The catalogue's op for a layer attribute class (<c>ReluAttribute</c>), or null.</summary>
    private static LayerForm? FormOf(string attributeClass) =>
        attributeClass.EndsWith("Attribute", StringComparison.Ordinal) ? Ops.FromAttribute(attributeClass.Substring(0, attributeClass.Length - "Attribute".Length)) : null;

    /// <summary>
    /// Reads the network of a class whose [Network] gives an input size: every error is added to
    /// <paramref name="diagnostics"/> and what could be read is returned; null when an attribute
    /// does not compile (the compiler reports that).
    /// </summary>
    public static NetworkSpec? Read(INamedTypeSymbol type, AttributeData network, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        var networkSyntax = (AttributeSyntax?)network.ApplicationSyntaxReference?.GetSyntax(cancellationToken);
        if (networkSyntax is null || network.ConstructorArguments.Length != 1 || network.ConstructorArguments[0].Value is not int input)
        {
            return null;
        }

        var reader = new AttributeNetworkReader(networkSyntax.SyntaxTree.FilePath, diagnostics, cancellationToken);
        var layers = reader.ReadLayers(type, networkSyntax, out bool compiles, out int attributes);
        if (!compiles)
        {
            return null;
        }

        SourceRange inputRange = Ranges.Of(networkSyntax.ArgumentList?.Arguments.FirstOrDefault()?.Expression ?? (SyntaxNode)networkSyntax);
        if (input < 1 || input > NetworkSpec.MaxFeatures)
        {
            reader.Report(DiagnosticDescriptors.InvalidValue, inputRange, "the input size", $"an integer from 1 to {Int(NetworkSpec.MaxFeatures)}", Int(input));
        }

        if (attributes == 0)
        {
            reader.Report(DiagnosticDescriptors.InvalidValue, Ranges.Of(networkSyntax), "the network", "at least one layer attribute after [Network]", "none");
        }

        // What was read, errors or not: the checker still checks the values of the layers read.
        return new NetworkSpec(reader._path, input, inputRange, null, layers.ToEquatableArray(), Ranges.Of(networkSyntax));
    }

    /// <param name="attributes">How many layer attributes the class has, read or not.</param>
    private List<LayerSpec> ReadLayers(INamedTypeSymbol type, AttributeSyntax networkSyntax, out bool compiles, out int attributes)
    {
        compiles = true;
        attributes = 0;
        var declaration = networkSyntax.FirstAncestorOrSelf<TypeDeclarationSyntax>();
        var top = new List<LayerSpec>();
        var open = new Stack<(AttributeData Attribute, AttributeSyntax Syntax, List<LayerSpec> Layers)>();
        foreach (AttributeData attribute in type.GetAttributes().Where(IsLayerAttribute))
        {
            _cancellationToken.ThrowIfCancellationRequested();
            attributes++;
            var syntax = (AttributeSyntax?)attribute.ApplicationSyntaxReference?.GetSyntax(_cancellationToken);
            if (syntax is null)
            {
                continue;
            }

            if (attribute.AttributeConstructor is null || attribute.ConstructorArguments.Any(a => a.Kind == TypedConstantKind.Error))
            {
                compiles = false;
                continue;
            }

            if (syntax.FirstAncestorOrSelf<TypeDeclarationSyntax>() != declaration)
            {
                Report(DiagnosticDescriptors.LayersSplitAcrossDeclarations, Ranges.Of(syntax), attribute.AttributeClass!.Name.Replace("Attribute", string.Empty));
                continue;
            }

            List<LayerSpec> current = open.Count > 0 ? open.Peek().Layers : top;
            switch (attribute.AttributeClass!.Name)
            {
                case "EndResidualAttribute":
                    if (open.Count == 0)
                    {
                        Report(DiagnosticDescriptors.UnbalancedResidual, Ranges.Of(syntax), "[EndResidual] closing an open [Residual]", "no open [Residual]");
                        break;
                    }

                    var (residual, residualSyntax, inner) = open.Pop();
                    if (inner.Count == 0)
                    {
                        Report(DiagnosticDescriptors.InvalidValue, Ranges.Of(residualSyntax), "the residual block", "at least one layer before [EndResidual]", "none");
                        break;
                    }

                    (open.Count > 0 ? open.Peek().Layers : top).Add(new ResidualSpec(Name(residual), Ranges.Of(residualSyntax), NameRange(residualSyntax), inner.ToEquatableArray()));
                    break;
                case "ResidualAttribute":
                    open.Push((attribute, syntax, new List<LayerSpec>()));
                    break;
                default:
                    if (ReadLayer(attribute, syntax) is { } layer)
                    {
                        current.Add(layer);
                    }

                    break;
            }
        }

        foreach (var (_, syntax, _) in open)
        {
            Report(DiagnosticDescriptors.UnbalancedResidual, Ranges.Of(syntax), "an [EndResidual] closing this [Residual]", "none before the end of the class's attributes");
        }

        return top;
    }

    private LayerSpec? ReadLayer(AttributeData attribute, AttributeSyntax syntax)
    {
        LayerForm form = FormOf(attribute.AttributeClass!.Name)!;
        LayerOp op = form.Op;
        var args = new Arguments(attribute, syntax);
        string? name = Name(attribute);
        SourceRange range = Ranges.Of(syntax), nameRange = NameRange(syntax);
        switch (op)
        {
            case LayerOp.Activation:
            {
                ActivationOp function = form.Activations[0];
                if (form.FormOf(function).Variant is { } variant && args.Named(variant.AttributeName)?.Value is bool selected)
                {
                    function = form.Activations.First(a => form.FormOf(a).Variant!.AttributeValue == selected);
                }

                var parameters = form.FormOf(function).Parameters.Select(p => Value(args, p.Key, p.AttributeName, p.Default)).ToEquatableArray();
                return new ActivationSpec(function, form.FormOf(function), name, range, nameRange, parameters);
            }

            case LayerOp.Linear:
            {
                int? outSize = Size(args, "outFeatures");
                TensorSpec? weight = Tensor(args, "weight", rank: 2, required: true);
                TensorSpec? bias = Tensor(args, "Bias", rank: 1, required: false);
                ActivationSpec? activation = null;
                if (args.Named("Activation") is { Value: int code } activationArgument)
                {
                    // The member's name, not its number, binds NetGen.Activation to the catalogue (None is no activation).
                    string? member = activationArgument.Type?.GetMembers().OfType<IFieldSymbol>().FirstOrDefault(f => f.HasConstantValue && Equals(f.ConstantValue, code))?.Name;
                    if (member is null || (member != "None" && Ops.FromAttribute(member) is not { IsActivation: true }))
                    {
                        Report(DiagnosticDescriptors.InvalidValue, args.RangeOf("Activation"), "Activation", "a value of NetGen.Activation", Int(code));
                    }
                    else if (Ops.FromAttribute(member) is { IsActivation: true } shorthand)
                    {
                        activation = ActivationSpec.WithDefaults(shorthand.Activations[0], args.RangeOf("Activation"));
                    }
                }

                return outSize is null || weight is null ? null : new LinearSpec(name, range, nameRange, outSize.Value, args.RangeOf("outFeatures"), weight, bias, activation, args.Named("Gpu")?.Value as bool?);
            }

            case LayerOp.Affine:
            {
                // A string of one number is one value for every feature, as in the JSON form.
                TensorSpec? scale = Tensor(args, "Scale", rank: 1, required: false);
                TensorSpec? shift = Tensor(args, "Shift", rank: 1, required: false);
                if (args.Constant("Scale") is not { IsNull: false } && args.Constant("Shift") is not { IsNull: false })
                {
                    Report(DiagnosticDescriptors.MissingKey, range, "Scale", "an Affine layer (which needs Scale, Shift or both)");
                    return null;
                }

                return new AffineSpec(name, range, nameRange, scale, shift);
            }

            case LayerOp.LayerNorm or LayerOp.RmsNorm or LayerOp.BatchNorm:
            {
                ValueSpec eps = Value(args, "eps", "Eps", op == LayerOp.RmsNorm ? 1e-6 : 1e-5);
                TensorSpec? weight = Tensor(args, "Weight", rank: 1, required: false);
                TensorSpec? bias = op == LayerOp.RmsNorm ? null : Tensor(args, "Bias", rank: 1, required: false);
                if (op != LayerOp.BatchNorm)
                {
                    return new NormSpec(op, name, range, nameRange, eps, weight, bias, null, null);
                }

                TensorSpec? mean = Tensor(args, "runningMean", rank: 1, required: true);
                TensorSpec? variance = Tensor(args, "runningVar", rank: 1, required: true);
                if (variance is not null && variance.Values.Any(v => v < 0))
                {
                    Report(DiagnosticDescriptors.InvalidValue, variance.Range, "runningVar", "variances of 0 or more", "a negative value");
                }

                return mean is null || variance is null ? null : new NormSpec(op, name, range, nameRange, eps, weight, bias, mean, variance);
            }

            case LayerOp.Slice:
            {
                int start = args.Value("start") is int s ? s : 0;
                int? end = args.Value("end") is int e ? e : null;
                if (start < 0)
                {
                    Report(DiagnosticDescriptors.InvalidValue, args.RangeOf("start"), "start", $"an integer from 0 to {Int(NetworkSpec.MaxFeatures)}", Int(start));
                    return null;
                }

                return new SliceSpec(name, range, nameRange, start, args.RangeOf("start"), end, args.RangeOf("end"));
            }

            case LayerOp.Mask:
            {
                int start = args.Value("Start") is int s ? s : 0;
                float fill = args.Value("Fill") is float f ? f : MaskSpec.DefaultFill;
                if (start < 0)
                {
                    Report(DiagnosticDescriptors.InvalidValue, args.RangeOf("Start"), "Start", $"an integer from 0 to {Int(NetworkSpec.MaxFeatures)}", Int(start));
                    return null;
                }

                if (float.IsNaN(fill) || float.IsInfinity(fill))
                {
                    Report(DiagnosticDescriptors.NonFiniteValue, args.RangeOf("Fill"), "Fill", fill.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    return null;
                }

                return new MaskSpec(name, range, nameRange, null, range, start, args.RangeOf("Start"), fill);
            }

            case LayerOp.ArgMax:
            {
                var groups = args.Constant("groups") is { IsNull: false, Kind: TypedConstantKind.Array } array
                    ? array.Values.Select(v => v.Value is int g ? g : 0).ToArray()
                    : Array.Empty<int>();
                if (groups.Where(g => g < 1 || g > NetworkSpec.MaxFeatures).Select(g => (int?)g).FirstOrDefault() is { } bad)
                {
                    Report(DiagnosticDescriptors.InvalidValue, args.RangeOf("groups"), "groups", $"sizes from 1 to {Int(NetworkSpec.MaxFeatures)}", Int(bad));
                    return null;
                }

                return new ArgMaxSpec(name, range, nameRange, groups.ToEquatableArray(), args.RangeOf("groups"), args.Value("Last") is true);
            }

            case LayerOp.SwiGlu:
            {
                int? hidden = Size(args, "hidden");
                int? outSize = args.Named("Out")?.Value is int o && o != 0 ? o : null;
                if (outSize is < 0 or > NetworkSpec.MaxFeatures)
                {
                    Report(DiagnosticDescriptors.InvalidValue, args.RangeOf("Out"), "Out", $"0 (the input size) or an integer from 1 to {Int(NetworkSpec.MaxFeatures)}", Int(outSize.Value));
                    outSize = null;
                }

                TensorSpec? gate = Tensor(args, "gate", rank: 2, required: true);
                TensorSpec? up = Tensor(args, "up", rank: 2, required: true);
                TensorSpec? down = Tensor(args, "down", rank: 2, required: true);
                return hidden is null || gate is null || up is null || down is null
                    ? null
                    : new SwiGluSpec(name, range, nameRange, hidden.Value, args.RangeOf("hidden"), outSize, args.RangeOf("Out"), gate, up, down, args.Named("Gpu")?.Value as bool?);
            }

            default:
                throw new InvalidOperationException("Every op of the catalogue is handled above.");
        }
    }

    /// <summary>A number property (float or double), kept with its place and text for the checker's rules.</summary>
    private static ValueSpec Value(Arguments args, string key, string property, double defaultValue) => args.Named(property)?.Value switch
    {
        float f => new ValueSpec(key, f, args.RangeOf(property), property, Float(f)),
        double d => new ValueSpec(key, d, args.RangeOf(property), property, d.ToString("R", CultureInfo.InvariantCulture)),
        _ => ValueSpec.Default(key, defaultValue),
    };

    private int? Size(Arguments args, string parameter)
    {
        int value = args.Value(parameter) is int v ? v : 0;
        if (value < 1 || value > NetworkSpec.MaxFeatures)
        {
            Report(DiagnosticDescriptors.InvalidValue, args.RangeOf(parameter), parameter, $"an integer from 1 to {Int(NetworkSpec.MaxFeatures)}", Int(value));
            return null;
        }

        return value;
    }

    /// <summary>Parses a tensor string: numbers separated by spaces or commas, matrix rows by ';'.</summary>
    private TensorSpec? Tensor(Arguments args, string parameter, int rank, bool required)
    {
        TypedConstant? constant = args.Constant(parameter);
        if (constant is null || constant.Value.IsNull)
        {
            if (required)
            {
                Report(DiagnosticDescriptors.WrongType, args.RangeOf(parameter), rank == 1 ? "a vector string such as \"0 1 0\"" : "a matrix string such as \"1 0; 0 1\"", parameter, "null");
            }

            return null;
        }

        string text = (string)constant.Value.Value!;
        var locate = args.TextLocator(parameter);
        var rows = new List<List<float>>();
        var row = new List<float>();
        int rowStart = 0;
        bool ok = true;
        for (int i = 0; i <= text.Length && ok; i++)
        {
            char c = i < text.Length ? text[i] : ';';
            if (char.IsWhiteSpace(c) || c == ',' || c == ';')
            {
                if (c == ';')
                {
                    rows.Add(row);
                    if (rows.Count > 1 && row.Count != rows[0].Count)
                    {
                        while (rowStart < i && char.IsWhiteSpace(text[rowStart]))
                        {
                            rowStart++;
                        }

                        Report(DiagnosticDescriptors.WrongShape, locate(rowStart, i), $"row {Int(rows.Count)} of {parameter}",
                            $"{Int(rows[0].Count)} elements (every row as long as the first)", Int(row.Count));
                        ok = false;
                    }

                    row = new List<float>();
                    rowStart = i + 1;
                }

                continue;
            }

            int end = i;
            while (end < text.Length && !char.IsWhiteSpace(text[end]) && text[end] != ',' && text[end] != ';')
            {
                end++;
            }

            string token = text.Substring(i, end - i);
            if (!double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out double number))
            {
                Report(DiagnosticDescriptors.WrongType, locate(i, end), "a number", "an element of " + parameter, "'" + Text.Printable(token) + "'");
                ok = false;
            }
            else if (float.IsInfinity((float)number) || double.IsNaN(number))
            {
                Report(DiagnosticDescriptors.NonFiniteValue, locate(i, end), "an element of " + parameter, token + (double.IsNaN(number) ? string.Empty : " (it rounds to infinity in float32)"));
                ok = false;
            }
            else
            {
                row.Add((float)number);
            }

            i = end - 1;
        }

        if (!ok)
        {
            return null;
        }

        // A trailing ';' closes the last row; it does not open an empty one.
        if (rows.Count > 1 && rows[rows.Count - 1].Count == 0 && text.TrimEnd().EndsWith(";", StringComparison.Ordinal))
        {
            rows.RemoveAt(rows.Count - 1);
        }

        SourceRange range = args.RangeOf(parameter);
        if (rank == 1)
        {
            if (rows.Count > 1)
            {
                Report(DiagnosticDescriptors.WrongShape, range, parameter, "a vector (numbers without ';')", $"a matrix of {Int(rows.Count)} rows");
                return null;
            }

            return new TensorSpec(new EquatableArray<int>(new[] { rows[0].Count }), rows[0].ToEquatableArray(), range);
        }

        int columns = rows[0].Count;
        int[] shape = columns == 0 && rows.Count == 1 ? new[] { 0, 0 } : new[] { rows.Count, columns };
        return new TensorSpec(new EquatableArray<int>(shape), rows.SelectMany(r => r).ToEquatableArray(), range);
    }

    private static string? Name(AttributeData attribute) =>
        attribute.NamedArguments.FirstOrDefault(a => a.Key == "Name").Value.Value as string;

    private static SourceRange NameRange(AttributeSyntax syntax) =>
        syntax.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == "Name") is { } argument
            ? Ranges.Of(argument.Expression)
            : Ranges.Of(syntax);

    private void Report(DiagnosticDescriptor descriptor, SourceRange range, params string[] arguments) =>
        _diagnostics.Add(DiagnosticInfo.Create(descriptor.Id, _path, range, arguments));

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Float(float value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>An attribute's arguments by parameter or property name, with their syntax.</summary>
    private sealed class Arguments
    {
        private readonly AttributeData _attribute;
        private readonly AttributeSyntax _syntax;

        public Arguments(AttributeData attribute, AttributeSyntax syntax)
        {
            _attribute = attribute;
            _syntax = syntax;
        }

        public TypedConstant? Named(string property) =>
            _attribute.NamedArguments.Any(a => a.Key == property) ? _attribute.NamedArguments.First(a => a.Key == property).Value : null;

        /// <summary>A constructor argument (camelCase name) or a named property (PascalCase).</summary>
        public TypedConstant? Constant(string name)
        {
            var parameters = _attribute.AttributeConstructor!.Parameters;
            for (int i = 0; i < parameters.Length; i++)
            {
                if (parameters[i].Name == name)
                {
                    return _attribute.ConstructorArguments[i];
                }
            }

            return Named(name);
        }

        public object? Value(string name) => Constant(name)?.Value;

        public SourceRange RangeOf(string name) => Syntax(name) is { } argument ? Ranges.Of(argument.Expression) : Ranges.Of(_syntax);

        /// <summary>
        /// Maps offsets in a string argument's value to source ranges: exactly for a plain literal
        /// without escapes, and to the whole argument otherwise.
        /// </summary>
        public Func<int, int, SourceRange> TextLocator(string name)
        {
            if (Syntax(name)?.Expression is LiteralExpressionSyntax literal
                && literal.Token.IsKind(SyntaxKind.StringLiteralToken)
                && literal.Token.Text.Length == literal.Token.ValueText.Length + 2
                && literal.Token.Text[0] == '"')
            {
                int start = literal.Token.SpanStart + 1;
                SyntaxTree tree = literal.SyntaxTree;
                return (from, to) => Ranges.Of(tree, TextSpan.FromBounds(start + from, start + Math.Max(from, to)));
            }

            SourceRange whole = RangeOf(name);
            return (_, _) => whole;
        }

        private AttributeArgumentSyntax? Syntax(string name)
        {
            if (_syntax.ArgumentList is not { } list)
            {
                return null;
            }

            var byName = list.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == name || a.NameColon?.Name.Identifier.ValueText == name);
            if (byName is not null)
            {
                return byName;
            }

            var parameters = _attribute.AttributeConstructor!.Parameters;
            int index = parameters.IndexOf(parameters.FirstOrDefault(p => p.Name == name)!);
            var positional = list.Arguments.Where(a => a.NameEquals is null && a.NameColon is null).ToList();
            return index >= 0 && index < positional.Count ? positional[index] : null;
        }
    }
}

/// <summary>Source ranges of C# syntax, as model values.</summary>
internal static class Ranges
{
    public static SourceRange Of(SyntaxNode node) => Of(node.SyntaxTree, node.Span);

    public static SourceRange Of(SyntaxTree tree, TextSpan span)
    {
        FileLinePositionSpan lines = tree.GetLineSpan(span);
        return new SourceRange(span.Start, span.Length, lines.StartLinePosition.Line, lines.StartLinePosition.Character, lines.EndLinePosition.Line, lines.EndLinePosition.Character);
    }
}

using System.Globalization;
using Microsoft.CodeAnalysis.CSharp;
using NetGen.Generator.Model;

namespace NetGen.Generator.Emit;

/// <summary>C# spellings of values: culture-invariant, round-trip exact, safe in comments.</summary>
internal static class Literals
{
    /// <summary>The shortest C# float literal that reads back as exactly <paramref name="value"/>.</summary>
    public static string Float(float value)
    {
        if (float.IsInfinity(value))
        {
            return value > 0 ? "float.PositiveInfinity" : "float.NegativeInfinity";
        }

        string text = value.ToString("R", CultureInfo.InvariantCulture);

        // "R" is not round-trip on every runtime the compiler may run on; nine digits always are.
        if (float.Parse(text, CultureInfo.InvariantCulture) != value || (value == 0 && (text[0] == '-') != (1f / value < 0)))
        {
            text = value.ToString("G9", CultureInfo.InvariantCulture);
        }

        return text + "f";
    }

    /// <summary>A number as the math in comments writes it: the float literal without its suffix, infinities as ∞ and −∞.</summary>
    public static string Number(float value) => float.IsInfinity(value) ? (value > 0 ? "∞" : "−∞") : Float(value).TrimEnd('f');

    /// <summary>A C# double literal that reads back as exactly <paramref name="value"/>.</summary>
    public static string Double(double value) => value.ToString("R", CultureInfo.InvariantCulture) + "d";

    public static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>An identifier for a validated name, escaped with '@' when it is a keyword.</summary>
    public static string Identifier(string name) =>
        SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

    /// <summary>A C# string literal for any text: printable ASCII as it is, everything else as a <c>\\u</c> escape.</summary>
    public static string String(string value)
    {
        var literal = new System.Text.StringBuilder(value.Length + 2).Append('"');
        foreach (char c in value)
        {
            if (c is '"' or '\\')
            {
                literal.Append('\\').Append(c);
            }
            else if (c is >= ' ' and <= '~')
            {
                literal.Append(c);
            }
            else
            {
                literal.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
        }

        return literal.Append('"').ToString();
    }

    /// <summary>Text safe inside a comment: see <see cref="Text.Printable"/>.</summary>
    public static string Comment(string text) => Text.Printable(text);

    /// <summary>Text safe inside an XML doc comment line.</summary>
    public static string Xml(string text) =>
        Comment(text).Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}

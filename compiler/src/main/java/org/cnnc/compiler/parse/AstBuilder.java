package org.cnnc.compiler.parse;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;
import org.cnnc.compiler.ast.CnnFile;
import org.cnnc.compiler.ast.Decl;
import org.cnnc.compiler.ast.Element;
import org.cnnc.compiler.ast.Expr;
import org.cnnc.compiler.diag.CompileError;
import org.cnnc.compiler.diag.Pos;
import org.cnnc.compiler.diag.SourceFile;
import org.cnnc.grammar.CnnParser.*;

/** Turns the parse tree into the immutable AST, and does nothing else. */
final class AstBuilder {
    private final SourceFile source;

    AstBuilder(SourceFile source) {
        this.source = source;
    }

    CnnFile file(FileContext ctx) {
        List<Decl.Block> blocks = new ArrayList<>();
        List<Decl.Network> networks = new ArrayList<>();
        for (DeclarationContext d : ctx.declaration()) {
            if (d.blockDecl() != null) blocks.add(block(d.blockDecl()));
            else networks.add(network(d.networkDecl()));
        }
        return new CnnFile(source, List.copyOf(blocks), List.copyOf(networks));
    }

    private Decl.Block block(BlockDeclContext ctx) {
        return new Decl.Block(pos(ctx.name), ctx.name.getText(), params(ctx.paramList()), chain(ctx.chain()));
    }

    private Decl.Network network(NetworkDeclContext ctx) {
        return new Decl.Network(pos(ctx.name), ctx.name.getText(), params(ctx.paramList()),
                input(ctx.inputDecl()), chain(ctx.chain()));
    }

    private Decl.Input input(InputDeclContext ctx) {
        List<Expr> dims = new ArrayList<>();
        switch (ctx) {
            case InputDimsContext d -> {
                Token t = d.DIMS().getSymbol();
                int offset = 0;
                for (String part : t.getText().split("[xX×]")) {
                    Pos p = new Pos(source, t.getLine(), t.getCharPositionInLine() + 1 + offset);
                    dims.add(new Expr.Num(p, Double.parseDouble(part)));
                    offset += part.length() + 1;
                }
            }
            case InputFeaturesContext f -> dims.add(number(f.INT().getSymbol()));
            case InputExprsContext e -> e.expr().forEach(x -> dims.add(expr(x)));
            default -> throw new IllegalStateException("unknown input form " + ctx.getClass());
        }
        return new Decl.Input(pos(ctx), List.copyOf(dims));
    }

    private List<Decl.Param> params(ParamListContext ctx) {
        if (ctx == null) return List.of();
        List<Decl.Param> params = new ArrayList<>();
        for (ParamContext p : ctx.param()) {
            params.add(new Decl.Param(pos(p), p.ID().getText(), p.expr() == null ? null : expr(p.expr())));
        }
        return List.copyOf(params);
    }

    private List<Element> chain(ChainContext ctx) {
        return ctx.element().stream().map(this::element).toList();
    }

    private Element element(ElementContext ctx) {
        Element e = term(ctx.term());
        for (SuffixContext s : ctx.suffix()) {
            e = switch (s) {
                case RepeatContext r -> new Element.Repeat(pos(r), e, repeatCount(r.repeatCount()),
                        r.index == null ? null : r.index.getText());
                case OptionalContext o -> new Element.Optional(pos(o), e, o.expr() == null ? null : expr(o.expr()));
                default -> throw new IllegalStateException("unknown suffix " + s.getClass());
            };
        }
        if (ctx.label() != null) {
            LabelContext l = ctx.label();
            Element.Label label = new Element.Label(pos(l), l.ID().getText(), l.expr() == null ? null : expr(l.expr()));
            e = new Element.Labeled(pos(l), label, e);
        }
        return e;
    }

    private Expr repeatCount(RepeatCountContext ctx) {
        if (ctx.INT() != null) return number(ctx.INT().getSymbol());
        if (ctx.ID() != null) return new Expr.Ref(pos(ctx.ID().getSymbol()), ctx.ID().getText());
        return expr(ctx.expr());
    }

    private Element term(TermContext ctx) {
        return switch (ctx) {
            case GroupContext g -> new Element.Group(pos(g), chain(g.chain()));
            case AddBranchesContext a -> new Element.Branches(pos(a), Element.Merge.ADD,
                    a.chain().stream().map(this::chain).toList());
            case ConcatBranchesContext c -> new Element.Branches(pos(c), Element.Merge.CONCAT,
                    c.chain().stream().map(this::chain).toList());
            case InputRefContext i -> new Element.InputRef(pos(i));
            case CallContext c -> {
                List<Element.Arg> args = new ArrayList<>();
                for (ArgContext a : c.arg()) {
                    args.add(new Element.Arg(pos(a), a.ID() == null ? null : a.ID().getText(), expr(a.expr())));
                }
                yield new Element.Call(pos(c), c.ID().getText(), List.copyOf(args), c.LPAREN() == null);
            }
            default -> throw new IllegalStateException("unknown term " + ctx.getClass());
        };
    }

    private Expr expr(ExprContext ctx) {
        return switch (ctx) {
            case ParensContext p -> expr(p.expr());
            case InShapeContext s -> {
                String dim = s.ID().getText();
                if (!dim.equals("c") && !dim.equals("h") && !dim.equals("w")) {
                    throw new CompileError(pos(s.ID().getSymbol()),
                            "unknown shape field 'in." + dim + "'; the fields are in.c, in.h and in.w");
                }
                yield new Expr.InShape(pos(s), dim);
            }
            case CallExprContext c -> new Expr.Call(pos(c), c.ID().getText().toLowerCase(Locale.ROOT),
                    c.expr().stream().map(this::expr).toList());
            case NumberContext n -> number(n.getStart());
            case BoolContext b -> new Expr.Bool(pos(b), b.TRUE() != null);
            case RefContext r -> new Expr.Ref(pos(r), r.ID().getText());
            case PowerContext p -> new Expr.Binary(pos(p.CARET().getSymbol()), "^", expr(p.expr(0)), expr(p.expr(1)));
            case NegateContext n -> new Expr.Unary(pos(n), "-", expr(n.expr()));
            case MultiplyContext m -> new Expr.Binary(pos(m.op), m.op.getText(), expr(m.expr(0)), expr(m.expr(1)));
            case AddSubContext a -> new Expr.Binary(pos(a.op), a.op.getText(), expr(a.expr(0)), expr(a.expr(1)));
            case CompareContext c -> new Expr.Binary(pos(c.op), c.op.getText(), expr(c.expr(0)), expr(c.expr(1)));
            case NotContext n -> new Expr.Unary(pos(n), "not", expr(n.expr()));
            case AndContext a -> new Expr.Binary(pos(a.AND().getSymbol()), "and", expr(a.expr(0)), expr(a.expr(1)));
            case OrContext o -> new Expr.Binary(pos(o.OR().getSymbol()), "or", expr(o.expr(0)), expr(o.expr(1)));
            default -> throw new IllegalStateException("unknown expression " + ctx.getClass());
        };
    }

    private Expr.Num number(Token t) {
        return new Expr.Num(pos(t), Double.parseDouble(t.getText()));
    }

    private Pos pos(ParserRuleContext ctx) {
        return pos(ctx.getStart());
    }

    private Pos pos(Token t) {
        return new Pos(source, t.getLine(), t.getCharPositionInLine() + 1);
    }

}

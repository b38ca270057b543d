package main

import (
	"context"
	"fmt"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The browser tests act as a person does: they click, type and press keys
// on elements a person can use, and they read the page, but they never
// change its state from a script. Each action below first waits until its
// target (the first element the CSS selector matches) is visible and
// enabled, so that a button left disabled, or hidden, fails the test
// instead of being worked around.

// usable waits until the element sel is visible and enabled, neither
// disabled nor aria-disabled.
func usable(sel string) chromedp.Action {
	return chromedp.Tasks{
		chromedp.WaitVisible(sel, chromedp.ByQuery),
		chromedp.WaitEnabled(sel, chromedp.ByQuery),
		chromedp.WaitNotPresent(fmt.Sprintf(`:is(%s)[aria-disabled="true"]`, sel), chromedp.ByQuery),
	}
}

// click clicks the element sel with the mouse.
func click(sel string) chromedp.Action {
	return chromedp.Tasks{usable(sel), chromedp.Click(sel, chromedp.ByQuery)}
}

// typeInto types text into the element sel, as keys pressed on the
// keyboard.
func typeInto(sel, text string) chromedp.Action {
	return chromedp.Tasks{usable(sel), chromedp.SendKeys(sel, text, chromedp.ByQuery)}
}

// pressEnter presses Enter in the element sel.
func pressEnter(sel string) chromedp.Action {
	return typeInto(sel, kb.Enter)
}

// askInWidget opens the page at addr, opens the widget and sends
// question with the send button, as a customer does.
func askInWidget(addr, question string) chromedp.Action {
	return chromedp.Tasks{
		chromedp.Navigate("http://" + addr + "/"),
		click(".sd-launcher"),
		typeInto(".sd-input", question),
		click(".sd-send"),
	}
}

// choose picks in the select sel the option whose label starts with
// label, by typing it as a person does on a focused select, and checks
// that the select then holds that option's value.
func choose(sel, label, value string) chromedp.Action {
	return chromedp.Tasks{
		typeInto(sel, label),
		chromedp.ActionFunc(func(ctx context.Context) error {
			var got string
			if err := chromedp.Run(ctx, chromedp.Value(sel, &got, chromedp.ByQuery)); err != nil {
				return err
			}
			if got != value {
				return fmt.Errorf("typing %q in %s chose %q, want %q", label, sel, got, value)
			}
			return nil
		}),
	}
}

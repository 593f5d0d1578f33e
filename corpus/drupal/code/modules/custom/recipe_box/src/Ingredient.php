<?php

declare(strict_types=1);

namespace Drupal\recipe_box;

/**
 * One line of a recipe's ingredient list, split into its parts.
 */
final class Ingredient {

  public function __construct(
    public readonly ?float $quantity,
    public readonly string $unit,
    public readonly string $name,
  ) {}

  /**
   * Returns a copy with the quantity multiplied by a factor.
   *
   * Ingredients without a quantity ("salt to taste") stay as they are.
   */
  public function multiply(float $factor): self {
    if ($this->quantity === NULL) {
      return $this;
    }
    return new self($this->quantity * $factor, $this->unit, $this->name);
  }

  /**
   * Returns the key that identifies the same ingredient across recipes.
   */
  public function key(): string {
    return mb_strtolower(trim($this->unit . ' ' . $this->name));
  }

}

<?php

declare(strict_types=1);

namespace Drupal\recipe_box\Plugin\Validation\Constraint;

use Drupal\Core\DependencyInjection\ContainerInjectionInterface;
use Drupal\recipe_box\IngredientParser;
use Symfony\Component\DependencyInjection\ContainerInterface;
use Symfony\Component\Validator\Constraint;
use Symfony\Component\Validator\ConstraintValidator;

/**
 * Validates ingredient lines with the recipe box ingredient parser.
 */
class IngredientLineConstraintValidator extends ConstraintValidator implements ContainerInjectionInterface {

  public function __construct(
    protected readonly IngredientParser $parser,
  ) {}

  /**
   * {@inheritdoc}
   */
  public static function create(ContainerInterface $container): static {
    return new static($container->get('recipe_box.ingredient_parser'));
  }

  /**
   * {@inheritdoc}
   */
  public function validate(mixed $value, Constraint $constraint): void {
    /** @var \Drupal\Core\Field\FieldItemListInterface $value */
    foreach ($value as $delta => $item) {
      $line = trim((string) $item->value);
      if ($line === '') {
        continue;
      }
      $ingredient = $this->parser->parse($line);
      if ($ingredient === NULL || preg_match('/^[\d\s.,\/]+$/', $ingredient->name)) {
        $this->context->buildViolation($constraint->missingName)
          ->setParameter('%line', $line)
          ->atPath((string) $delta)
          ->addViolation();
      }
      elseif ($ingredient->unit === '' && $ingredient->quantity > $constraint->maxUnitless) {
        $this->context->buildViolation($constraint->tooMuch)
          ->setParameter('%line', $line)
          ->setParameter('@max', (string) $constraint->maxUnitless)
          ->atPath((string) $delta)
          ->addViolation();
      }
    }
  }

}

<?php

declare(strict_types=1);

namespace Drupal\product_reviews\Plugin\Validation\Constraint;

use Drupal\Core\Config\ConfigFactoryInterface;
use Drupal\Core\DependencyInjection\ContainerInjectionInterface;
use Drupal\Core\Field\FieldItemListInterface;
use Symfony\Component\DependencyInjection\ContainerInterface;
use Symfony\Component\Validator\Constraint;
use Symfony\Component\Validator\ConstraintValidator;

/**
 * Checks review text against the block list in product_reviews.settings.
 */
class ReviewBlocklistConstraintValidator extends ConstraintValidator implements ContainerInjectionInterface {

  /**
   * Constructs a new ReviewBlocklistConstraintValidator object.
   */
  public function __construct(
    protected readonly ConfigFactoryInterface $configFactory,
  ) {}

  /**
   * {@inheritdoc}
   */
  public static function create(ContainerInterface $container): static {
    return new static($container->get('config.factory'));
  }

  /**
   * {@inheritdoc}
   */
  public function validate(mixed $value, Constraint $constraint): void {
    if (!$value instanceof FieldItemListInterface || $value->isEmpty()) {
      return;
    }
    $blocked = $this->configFactory->get('product_reviews.settings')->get('blocked_words') ?? [];
    foreach ($value as $item) {
      $text = mb_strtolower(strip_tags((string) $item->value));
      foreach ($blocked as $word) {
        $pattern = '/\b' . preg_quote(mb_strtolower($word), '/') . '\b/u';
        if ($word !== '' && preg_match($pattern, $text)) {
          $this->context->addViolation($constraint->message, ['%word' => $word]);
          return;
        }
      }
    }
  }

}

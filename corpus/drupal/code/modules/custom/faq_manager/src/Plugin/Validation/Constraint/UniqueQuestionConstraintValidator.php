<?php

declare(strict_types=1);

namespace Drupal\faq_manager\Plugin\Validation\Constraint;

use Drupal\Core\DependencyInjection\ContainerInjectionInterface;
use Drupal\Core\Url;
use Drupal\faq_manager\FaqRepository;
use Drupal\node\NodeInterface;
use Symfony\Component\DependencyInjection\ContainerInterface;
use Symfony\Component\Validator\Constraint;
use Symfony\Component\Validator\ConstraintValidator;

/**
 * Looks up FAQ entries with the same question as the node being saved.
 */
class UniqueQuestionConstraintValidator extends ConstraintValidator implements ContainerInjectionInterface {

  /**
   * Constructs a new UniqueQuestionConstraintValidator object.
   */
  public function __construct(
    protected readonly FaqRepository $faqRepository,
  ) {}

  /**
   * {@inheritdoc}
   */
  public static function create(ContainerInterface $container): static {
    return new static($container->get('faq_manager.repository'));
  }

  /**
   * {@inheritdoc}
   */
  public function validate(mixed $value, Constraint $constraint): void {
    if (!$value instanceof NodeInterface || $value->bundle() !== FaqRepository::BUNDLE) {
      return;
    }
    $existing = $this->faqRepository->findDuplicateQuestion(
      (string) $value->label(),
      $value->isNew() ? NULL : (int) $value->id(),
    );
    if ($existing !== NULL) {
      $this->context->buildViolation($constraint->message)
        ->setParameter(':url', Url::fromRoute('entity.node.canonical', ['node' => $existing])->toString())
        ->atPath('title')
        ->addViolation();
    }
  }

}

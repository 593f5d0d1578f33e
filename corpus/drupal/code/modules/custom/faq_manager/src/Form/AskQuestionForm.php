<?php

declare(strict_types=1);

namespace Drupal\faq_manager\Form;

use Drupal\Core\Entity\EntityTypeManagerInterface;
use Drupal\Core\Flood\FloodInterface;
use Drupal\Core\Form\FormBase;
use Drupal\Core\Form\FormStateInterface;
use Drupal\Core\Url;
use Drupal\faq_manager\FaqRepository;
use Symfony\Component\DependencyInjection\ContainerInterface;

/**
 * Lets visitors submit a question, saved as an unpublished FAQ entry.
 */
final class AskQuestionForm extends FormBase {

  /**
   * Questions one visitor may ask per hour.
   */
  private const HOURLY_LIMIT = 3;

  /**
   * Constructs a new AskQuestionForm object.
   */
  public function __construct(
    private readonly EntityTypeManagerInterface $entityTypeManager,
    private readonly FaqRepository $faqRepository,
    private readonly FloodInterface $flood,
  ) {}

  /**
   * {@inheritdoc}
   */
  public static function create(ContainerInterface $container): static {
    return new static(
      $container->get('entity_type.manager'),
      $container->get('faq_manager.repository'),
      $container->get('flood'),
    );
  }

  /**
   * {@inheritdoc}
   */
  public function getFormId(): string {
    return 'faq_manager_ask_question';
  }

  /**
   * {@inheritdoc}
   */
  public function buildForm(array $form, FormStateInterface $form_state): array {
    $form['question'] = [
      '#type' => 'textfield',
      '#title' => $this->t('Your question'),
      '#maxlength' => 255,
      '#required' => TRUE,
    ];
    $form['context'] = [
      '#type' => 'textarea',
      '#title' => $this->t('Anything we should know?'),
      '#description' => $this->t('Optional details that help us write a good answer.'),
      '#rows' => 4,
    ];
    $form['actions'] = ['#type' => 'actions'];
    $form['actions']['submit'] = ['#type' => 'submit', '#value' => $this->t('Send question')];
    return $form;
  }

  /**
   * {@inheritdoc}
   */
  public function validateForm(array &$form, FormStateInterface $form_state): void {
    $question = trim((string) $form_state->getValue('question'));
    if (mb_strlen($question) < 10) {
      $form_state->setErrorByName('question', $this->t('Please phrase your question in at least 10 characters.'));
      return;
    }
    if ($existing = $this->faqRepository->findDuplicateQuestion($question)) {
      $form_state->setErrorByName('question', $this->t('This question has <a href=":url">already been answered</a>.', [
        ':url' => Url::fromRoute('entity.node.canonical', ['node' => $existing])->toString(),
      ]));
    }
    if (!$this->flood->isAllowed('faq_manager.ask', self::HOURLY_LIMIT)) {
      $form_state->setErrorByName('question', $this->t('You have asked @count questions in the last hour. Please wait before asking another one.', ['@count' => self::HOURLY_LIMIT]));
    }
  }

  /**
   * {@inheritdoc}
   */
  public function submitForm(array &$form, FormStateInterface $form_state): void {
    $this->flood->register('faq_manager.ask');
    $question = trim((string) $form_state->getValue('question'));
    $this->entityTypeManager->getStorage('node')->create([
      'type' => FaqRepository::BUNDLE,
      'title' => str_ends_with($question, '?') ? $question : $question . '?',
      'uid' => $this->currentUser()->id(),
      'status' => 0,
      'revision_log' => (string) $form_state->getValue('context'),
    ])->save();
    $this->messenger()->addStatus($this->t('Thank you. Your question will appear on the FAQ page once an editor has answered it.'));
    $form_state->setRedirect('faq_manager.overview');
  }

}
